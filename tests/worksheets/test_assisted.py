import csv
import io
from datetime import UTC, datetime, timedelta

from teams_sip.domain.assisted import read_code_export, tac_upload_csv

NOW = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
KNOWN = {"0003717C0E0A": object(), "001A2B3C4D5E": object()}


def test_tac_upload_file_uses_template_columns_and_dashed_ids() -> None:
    rows = list(csv.reader(io.StringIO(tac_upload_csv([("0003717C0E0A", "Berlin HQ / Ward 3")]))))
    assert rows == [["MAC id", "Location"], ["00-03-71-7C-0E-0A", "Berlin HQ / Ward 3"]]


def test_code_export_with_flexible_headers_and_forms() -> None:
    header = ["Device ID", "Verification Code", "Expiration time"]
    rows = [
        ["00-03-71-7C-0E-0A", "482913", "2026-03-10T06:30:00Z"],
        ["1a:2b:3c:4d:5e:00", "111111", ""],  # not known
        ["001a.2b3c.4d5e", "999999", ""],
        ["", "", ""],
    ]
    result = read_code_export(header, rows, KNOWN, NOW)
    assert [(c.row, c.hardware_id, c.code.reveal(), c.expires_at) for c in result.codes] == [
        (2, "0003717C0E0A", "482913", datetime(2026, 3, 10, 6, 30, tzinfo=UTC)),
        (4, "001A2B3C4D5E", "999999", NOW + timedelta(hours=24)),
    ]
    assert [(e.row, e.column) for e in result.errors] == [(3, "Device ID")]


def test_bad_rows_are_reported_without_revealing_codes() -> None:
    header = ["MAC id", "Code", "Expires"]
    rows = [
        ["not-an-id", "482913", ""],
        ["00-03-71-7C-0E-0A", "=cmd|x", ""],
        ["00-03-71-7C-0E-0A", "482913", "tomorrow"],
        ["00-03-71-7C-0E-0A", "482913", ""],
        ["0003717C0E0A", "555555", ""],
    ]
    result = read_code_export(header, rows, KNOWN, NOW)
    assert [c.row for c in result.codes] == [5]
    assert [e.row for e in result.errors] == [2, 3, 4, 6]
    assert all("482913" not in e.message and "555555" not in e.message for e in result.errors)


def test_missing_columns_are_a_file_level_error() -> None:
    result = read_code_export(["Name", "Code"], [["x", "1234"]], KNOWN, NOW)
    assert not result.codes and result.errors[0].column == "header"


def test_without_an_expiry_column_a_code_lapses_24_hours_after_it_was_asked_for() -> None:
    asked = NOW - timedelta(hours=7)
    result = read_code_export(["MAC id", "Code"], [["00-03-71-7C-0E-0A", "482913"]], KNOWN, NOW,
                              {"0003717C0E0A": asked})
    (code,) = result.codes
    assert code.expires_at == asked + timedelta(hours=24) and code.generated_after == asked
    dated = read_code_export(["MAC id", "Code", "Expires"], [["00-03-71-7C-0E-0A", "482913", "2026-03-10T06:30Z"]],
                             KNOWN, NOW, {"0003717C0E0A": asked})
    assert dated.codes[0].generated_after is None
