"""`teams-sip run --once` against the simulated tenant: one pass, the report, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teams_sip.entrypoints.cli import main
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users
from tests.functions.support import ROSTER, SITES, USERS


def test_run_once_reports_and_exits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sites.csv").write_text(SITES)
    (tmp_path / "roster.csv").write_text(ROSTER)
    monkeypatch.chdir(tmp_path)
    with SimulatedTenant.start(scenario_for_users(USERS)) as sim:
        for name, value in (settings_values(sim) | {"OUTPUT_DIR": str(tmp_path / "out"),
                                                    "SQLITE_PATH": str(tmp_path / "state.sqlite3"),
                                                    "SITES_FILE": str(tmp_path / "sites.csv")}).items():
            monkeypatch.setenv(name, value)
        from teams_sip.bootstrap import build_wiring
        from teams_sip.config import load_settings
        from teams_sip.service.rollout import Rollout

        wiring = build_wiring(load_settings())
        future = ROSTER.replace("2026-03-1", "2099-03-1")  # the CLI runs on the real clock
        Rollout(wiring).import_file(future.encode(), "roster.csv", actor="test", correlation_id="c1")
        assert main(["run", "--once"]) == 0
        out = capsys.readouterr().out
        assert "3 handsets" in out and "registered" in out
        assert main(["run", "--once", "--json", "--skip-user-checks"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["by_state"] == {"registered": 3} and report["failures"] == []
        lookups = _user_lookups(sim)
        assert main(["run", "--once", "--json"]) == 0 and _user_lookups(sim) == lookups, "nobody due: Graph not asked"
        assert main(["run", "--once", "--json", "--check-all-users"]) == 0
        assert _user_lookups(sim) > lookups, "every user asked again"
        capsys.readouterr()
        with pytest.raises(SystemExit):
            main(["run", "--once", "--check-all-users", "--skip-user-checks"])
        assert "not allowed with argument" in capsys.readouterr().err
        Rollout(wiring).import_file(ROSTER.encode(), "past.csv", actor="test", correlation_id="c2")
        wiring.close()
        assert main(["run", "--once", "--skip-user-checks"]) == 1  # windows in the past: a person must act
        assert "window_closed" in capsys.readouterr().out
    monkeypatch.setenv("TENANT_ID", "not-a-guid")
    assert main(["run", "--once"]) == 2
    assert "TENANT_ID" in capsys.readouterr().err


def _user_lookups(sim: SimulatedTenant) -> int:
    return sum(n for name, n in sim.stats()["requests"].items() if name.endswith("GET /v1.0/users"))
