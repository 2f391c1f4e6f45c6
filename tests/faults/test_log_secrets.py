"""Logs hold no secret (issue 9). Every reliability and fault test already scans its own logs and
artefacts (harness.logs_hold_no_secrets); this module proves the scan can fail, drives a rollout
through heavy faults and a crash so that retries and errors are logged, and scans what
`teams-sip run --once` prints, in a child process on the real clock.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import (
    SITE_ZONES,
    Crash,
    CrashingStore,
    Handset,
    artefact_leaks,
    check_invariants,
    crashing_rollout,
    handsets,
    later,
    leaks,
    logs_hold_no_secrets,  # noqa: F401 - the leak scan (pytestmark)
    roster_csv,
    world,
)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("logs_hold_no_secrets")]

ROOT = Path(__file__).resolve().parents[2]
FLEET = handsets(6, blocked_every=6)


def test_the_scan_finds_a_code_a_token_and_the_client_secret(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        w.codes.add("40417723")
        assert leaks("dial *55*40417723 now", w) == ["a verification code ending 23"]
        assert leaks("order 1404177230", w) == [], "a code is matched as a whole number only"
        assert leaks(f"secret={w.sim.client_secret}", w) == ["the client secret"]
        assert leaks("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJhcGkifQ.c2ln", w) == ["a token"]
        (w.folder / "reports").mkdir(parents=True)
        (w.folder / "reports" / "x.json").write_text('{"code": "40417723"}')
        assert artefact_leaks(w) == {"reports/x.json": ["a verification code ending 23"]}
        (w.folder / "reports" / "x.json").unlink()


def test_a_rollout_through_heavy_faults_and_a_crash_logs_no_secret(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    faults = {"error_503": 0.15, "error_504": 0.1, "resets": 0.1, "rate_limit_per_s": 100.0, "burst": 5.0}
    with world(tmp_path, FLEET, faults=faults) as w, SqliteStateStore(tmp_path / "s.sqlite3") as sqlite:
        rollout = Rollout(w.wiring(sqlite))
        rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp")
        for _ in range(3):
            rollout.run_pass()
            later(w)
        w.open_day(FLEET[0].day)
        store = CrashingStore(sqlite)
        with pytest.raises(Crash):
            crashing_rollout(w.wiring(store), store, "after-deliver").run_pass()
        w.note_codes()
        for _ in range(3):
            later(w, 2)
            rollout.run_pass()
        w.note_codes()
        check_invariants(w, rollout, settled=False)
        rollout.ports.close()
        assert w.codes, "codes were issued, so the scan has something to look for"
        assert any(r.name.startswith(("httpx", "teams_sip", "msal")) for r in caplog.records), "logs were captured"


def _yesterday_at(zone: str) -> datetime:
    return datetime.now(ZoneInfo(zone)) - timedelta(days=1)


def test_run_once_prints_no_secret(tmp_path: Path) -> None:
    """`teams-sip run --once --json` on the real clock: the install date is yesterday at the site,
    so the window (install day plus one day) is open whatever the hour."""
    day = _yesterday_at(SITE_ZONES["Lyon Plant"]).date()
    fleet = [Handset(f"0{0x0200:04X}{n + 0x10000:05X}", f"cli{n}@contoso.com", f"Cli {n}", "Lyon Plant", day)
             for n in range(3)]
    with world(tmp_path, fleet, start=datetime.now(UTC)) as w:
        w.values |= {"SQLITE_PATH": str(tmp_path / "cli.sqlite3"), "STATE_STORE": "sqlite"}
        with SqliteStateStore(tmp_path / "cli.sqlite3") as store:
            Rollout(w.wiring(store)).import_file(roster_csv(fleet), "cli.csv", actor="admin", correlation_id="c")
        env = {k: v for k, v in os.environ.items() if k != "TEAMS_SIP_SETTINGS_FILE"} | w.values
        env |= {"PYTHONPATH": str(ROOT)}  # no settings file: tmp_path holds no local.settings.json
        outputs = []
        for _ in range(2):  # register, then codes
            done = subprocess.run([sys.executable, "-m", "teams_sip", "run", "--once", "--json"], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode in (0, 1), done.stderr[-2000:]
            outputs.append(done.stdout + done.stderr)
        w.note_codes()
        report = json.loads(outputs[-1][: outputs[-1].rindex("}") + 1])
        assert report["by_state"] == {"code_issued": 3}, report
        assert len(w.codes) == 3
        for text in outputs:
            assert not leaks(text, w), leaks(text, w)
        logging.getLogger(__name__).info("run --once printed %d characters", sum(map(len, outputs)))
