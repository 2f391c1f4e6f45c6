import csv
import io

import pytest

from teams_sip.domain.assisted import tac_upload_csv
from teams_sip.domain.csv_safety import UnsafeCellError, neutralise, write_csv, write_machine_csv


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


# Issue 24, item 12: files meant for machines carry values unchanged and refuse dangerous ones.
@pytest.mark.parametrize("cell", ["-1 Basement", "+2 Roof", "Berlin HQ / Ward 3", "-lobby@contoso.com", " home"])
def test_machine_csv_keeps_values_machines_read(cell: str) -> None:
    rows = list(csv.reader(io.StringIO(write_machine_csv(["Location"], [[cell]]))))
    assert rows == [["Location"], [cell]]


@pytest.mark.parametrize("cell", ["=1+1", "@SUM(A1)", "\t=cmd", "\r=cmd", "+cmd|' /C calc'!A0",
                                  '-HYPERLINK("http://evil")', "-2+3=5"])
def test_machine_csv_refuses_formulas_rather_than_altering_them(cell: str) -> None:
    with pytest.raises(UnsafeCellError, match="formula"):
        write_machine_csv(["Location"], [[cell]])


def test_tac_upload_keeps_a_basement_location_as_typed() -> None:
    rows = list(csv.reader(io.StringIO(tac_upload_csv([("0003717C0E0A", "-1 Basement")]))))
    assert rows == [["MAC id", "Location"], ["00-03-71-7C-0E-0A", "-1 Basement"]]
