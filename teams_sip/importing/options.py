"""Limits and choices for one import. Defaults follow the issue: 20 MB and 100,000 rows."""

from __future__ import annotations

from dataclasses import dataclass

from teams_sip.domain.roster import DateOrder

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportOptions:
    max_bytes: int = 20 * MB
    max_rows: int = 100_000  # handset rows; empty rows do not count
    # Wide files cost time per column before any row is checked; a roster needs a dozen columns.
    max_columns: int = 1_000
    # Empty lines are skipped free of charge up to this many lines in all, so a file of blank lines
    # under the byte cap still cannot hold a worker for seconds.
    max_lines: int = 2_000_000
    # Zip-bomb bounds for XLSX: what the workbook may unpack to, and how many cells its sheet may claim.
    max_uncompressed_bytes: int = 160 * MB
    max_cells: int = 2_000_000
    max_zip_members: int = 2_000
    date_order: DateOrder = DateOrder.AUTO
    header_search_rows: int = 10  # a title line or two above the header is common; look this far down
    sheet: str | None = None  # the workbook sheet to read; None: the first visible one
    # Shared strings (XLSX text cells) are read whole by calamine: bound them before it does. Excel
    # holds at most 32,767 characters in a cell; a roster's text needs a few MB.
    max_shared_strings: int = 2_000_000
    max_shared_string_bytes: int = 64 * MB
    max_string_bytes: int = 1 * MB  # one cell: 32,767 characters, escaped and with rich-text runs, fits
