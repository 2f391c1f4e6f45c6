"""`teams-sip validate` and `teams-sip id`: output, JSON shape and exit codes 0 / 1 / 2."""

import json
from pathlib import Path

import pytest

from teams_sip.entrypoints.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_validate_all_accepted_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "ok.csv", "IPEI,UPN,Site,Install date\n0DEADBEEF4,anna@contoso.com,Berlin,2026-03-16\n")
    assert main(["validate", path]) == 0
    out = capsys.readouterr().out
    assert "00-0D-EA-DB-EE-F4" in out and "1 accepted" in out


def test_validate_json_shape_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "examples" / "handsets.csv"), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"rows", "summary"}
    first = doc["rows"][0]
    assert first == {"row": 2, "status": "accepted", "hardware_id": "000DEADBEEF4", "errors": [], "warnings": []}
    rejected = next(r for r in doc["rows"] if r["status"] == "rejected")
    assert "hardware_id" not in rejected and rejected["errors"][0]["column"] and rejected["errors"][0]["message"]
    assert doc["summary"]["accepted"] + doc["summary"]["rejected"] == doc["summary"]["rows"] == len(doc["rows"])


def test_validate_table_names_rows_and_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "examples" / "handsets.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "Ignored columns: Notes" in out
    assert "rejected" in out and "error in IPUI: '57005 0782068 3': check digit is 3 but should be 7" in out


def test_validate_refused_file_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "people.csv", "Name,Phone\nAnna,123\n")
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("File refused: No recognisable columns") and "Traceback" not in err
    assert main(["validate", str(tmp_path / "missing.csv"), "--json"]) == 2
    captured = capsys.readouterr()
    assert "cannot read" in json.loads(captured.out)["refused"]


def test_validate_date_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "d.csv", "IPEI,UPN,Site,Install date\n0DEADBEEF4,anna@contoso.com,Berlin,03/04/2026\n")
    assert main(["validate", path]) == 1  # ambiguous with no evidence in the file
    assert main(["validate", path, "--dates", "day-first"]) == 0
    capsys.readouterr()


def test_validate_row_cap_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"0004D5F98{i},u{i}@contoso.com,Berlin,\n" for i in range(3))
    path = write(tmp_path, "r.csv", "IPEI,UPN,Site,Install date\n" + rows)
    assert main(["validate", path, "--max-rows", "2"]) == 2
    assert "more than 2 rows" in capsys.readouterr().err


def test_id_prints_every_form(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["id", "03717C0E0A", "00:04:f2:ab:cd:01"]) == 0
    out = capsys.readouterr().out
    for form in ("03717C0E0A", "14103 0790026 0", "0003717C0E0A", "00-03-71-7C-0E-0A", "00-04-F2-AB-CD-01"):
        assert form in out


def test_id_invalid_and_kind_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["id", "141030790026"]) == 1
    assert "ambiguous" in capsys.readouterr().out
    assert main(["id", "--kind", "ipei", "--json", "141030790026"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["ipei_decimal"] == "1410307900260" and doc["valid"] and doc["warnings"]
