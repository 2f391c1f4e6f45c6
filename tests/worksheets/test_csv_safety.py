import csv
import io

import pytest

from teams_sip.domain.csv_safety import neutralise, write_csv


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd"])
def test_formula_triggers_are_prefixed(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["00-03-71-7C-0E-0A", "*55*123456", "alice@contoso.com", "", "Berlin HQ"])
def test_ordinary_cells_are_untouched(cell: str) -> None:
    assert neutralise(cell) == cell


def test_write_csv_neutralises_header_and_cells_and_round_trips() -> None:
    text = write_csv(["User", "=evil"], [["=HYPERLINK(\"x\")", "a,b"], ["bob", "line\nbreak"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["User", "'=evil"], ["'=HYPERLINK(\"x\")", "a,b"], ["bob", "line\nbreak"]]
