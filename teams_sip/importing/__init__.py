"""Reading CSV and XLSX rosters into rows of text, safely, before the domain validates them."""
