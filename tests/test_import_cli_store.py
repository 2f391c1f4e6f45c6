"""`teams-sip import` then `teams-sip run --once` from the command line, against the simulated tenant:
the path for admins without the Functions app."""

import json
from pathlib import Path

import pytest

from teams_sip.domain.clock import ManualClock
from teams_sip.entrypoints.cli import main
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

ROSTER = ("IPEI,UPN,Site,Install date,Region\n0DEADBEEF4,anna@contoso.com,Lyon,2099-03-17,EMEA\n"
          "3.71707E+11,ben@contoso.com,Lyon,2099-03-17,EMEA\n")


def test_import_then_run_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    with SimulatedTenant.start(scenario_for_users([("anna@contoso.com", "Anna", "eligible")]),
                               clock=ManualClock(datetime.now(UTC))) as sim:
        for name, value in (settings_values(sim) | {"SQLITE_PATH": str(tmp_path / "s.sqlite3"),
                                                    "OUTPUT_DIR": str(tmp_path / "out")}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        roster = tmp_path / "lyon.csv"
        roster.write_text(ROSTER)
        assert main(["import", str(roster)]) == 1  # imported, one row rejected
        out = capsys.readouterr().out
        assert "Imported as" in out and "scientific notation" in out
        assert main(["import", str(tmp_path / "missing.csv")]) == 2
        assert main(["run", "--once", "--json"]) in (0, 1)
        report = json.loads(capsys.readouterr().out)
        assert report["by_state"] == {"registered": 1}


def test_import_refuses_unconfirmed_drops_and_allow_removals_applies_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 24, item 2: the CLI lists the handsets a file drops, and applies more than IMPORT_MAX_DROPS
    of them only with --allow-removals."""
    with SimulatedTenant.start(scenario_for_users([("anna@contoso.com", "Anna", "eligible")])) as sim:
        for name, value in (settings_values(sim) | {"SQLITE_PATH": str(tmp_path / "s.sqlite3"),
                                                    "OUTPUT_DIR": str(tmp_path / "out"),
                                                    "IMPORT_MAX_DROPS": "0"}).items():
            monkeypatch.setenv(name, value)
        first, second = tmp_path / "first.csv", tmp_path / "second.csv"
        first.write_text("IPEI,UPN,Site\n0DEADBEEF4,anna@contoso.com,Lyon\n0004D5F980,ben@contoso.com,Lyon\n")
        second.write_text("IPEI,UPN,Site\n0DEADBEEF4,anna@contoso.com,Lyon\n")
        assert main(["import", str(first)]) == 0
        capsys.readouterr()
        assert main(["import", str(second)]) == 2
        captured = capsys.readouterr()
        assert "Dropped: 000004D5F980 (ben@contoso.com, Lyon)" in captured.out
        assert "would drop 1 rostered handset(s)" in captured.err and "--allow-removals" in captured.err
        assert main(["import", str(second), "--allow-removals"]) == 0
        assert "Dropped: 000004D5F980" in capsys.readouterr().out
