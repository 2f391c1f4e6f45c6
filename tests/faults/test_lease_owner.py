"""Issue 24 items 9 and 10: the pass lease belongs to one pass, not to a request id; a pass that is
refused is told whose lease blocks it and until when; the lease is short and renewed while its pass
runs, so a crash blocks the next pass for minutes, not twenty; `teams-sip lease break` frees it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.domain.clock import ManualClock
from teams_sip.entrypoints.cli import main
from teams_sip.service.pass_leases import PASS_LEASE, PASS_TTL, PassLeases, pass_owner, site_lease
from teams_sip.service.ports.store import Leases
from teams_sip.service.rollout import PassOutcome, Rollout
from tests.reliability.harness import RecordingPort, WrappedRollout, handsets, roster_csv, world

FLEET = handsets(4)


def test_parallel_passes_reusing_one_request_id_run_once(tmp_path: Path) -> None:
    """Six `POST api/run` with one x-request-id: the first holds the lease inside its Teams call, the
    other five must be refused (they ran as "the same owner" before)."""
    with world(tmp_path, FLEET) as w:
        def store() -> SqliteStateStore:
            return SqliteStateStore(tmp_path / "state.sqlite3")

        Rollout(w.wiring(store())).import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="i")
        calls: dict[str, list[str]] = {}
        holding, release = threading.Event(), threading.Event()
        first = WrappedRollout(w.wiring(store()), lambda port: RecordingPort(
            port, calls, hold="register", holding=holding, release=release))
        outcomes: list[PassOutcome] = []
        thread = threading.Thread(target=lambda: outcomes.append(first.run_pass(correlation_id="same-request")))
        thread.start()
        try:
            assert holding.wait(30), "the first pass never reached Teams"
            others = [Rollout(w.wiring(store())) for _ in range(5)]
            threads = [threading.Thread(target=lambda r=r: outcomes.append(r.run_pass(correlation_id="same-request")))
                       for r in others]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        finally:
            release.set()
            thread.join(30)
        assert len(outcomes) == 6
        held, rest = outcomes[-1], outcomes[:-1]  # the first pass finishes last: it was held in Teams
        assert held.ran, held.message
        assert all(not o.ran and "another reconciliation pass" in o.message for o in rest), [o.message for o in rest]
        assert sorted(calls["register"]) == sorted(h.hardware_id for h in w.eligible)


def test_a_refused_pass_names_the_owner_and_expiry_and_a_crash_blocks_briefly(tmp_path: Path) -> None:
    assert timedelta(minutes=5) >= PASS_TTL, "a crashed pass must not block every pass for long"
    with world(tmp_path, FLEET) as w:
        rollout = Rollout(w.wiring(SqliteStateStore(tmp_path / "state.sqlite3")))
        crashed = rollout.leases.acquire(PASS_LEASE, "q-crashed.0123", PASS_TTL, w.clock.now())
        assert crashed is not None  # a pass that died holding its lease never releases it
        refused = rollout.run_pass(correlation_id="next")
        expiry = f"{(w.clock.now() + PASS_TTL):%Y-%m-%d %H:%M:%S} UTC"
        assert not refused.ran and "q-crashed.0123" in refused.message and expiry in refused.message
        assert "teams-sip lease break" in refused.message
        w.clock.advance(PASS_TTL + timedelta(seconds=1))
        assert rollout.run_pass(correlation_id="after").ran


def test_a_running_pass_keeps_its_short_lease_renewed() -> None:
    clock = ManualClock(datetime(2026, 3, 16, 6, 0, tzinfo=UTC))
    leases = Leases(MemoryStateStore())
    running = PassLeases(leases, pass_owner("long-pass"), clock.now, renew_every=0.01)
    assert running.acquire(None)
    try:
        for _ in range(4):  # four times the ttl in all, each step inside it
            clock.advance(PASS_TTL * 0.9)
            held = leases.holder(PASS_LEASE, clock.now())
            deadline = time.monotonic() + 10
            while held is not None and held.expires_at <= clock.now() + PASS_TTL * 0.5 and time.monotonic() < deadline:
                time.sleep(0.01)
                held = leases.holder(PASS_LEASE, clock.now())
            assert held is not None and held.owner.startswith("long-pass.")
            assert not PassLeases(leases, pass_owner("other"), clock.now).acquire(None)
    finally:
        running.release()
    assert leases.holder(PASS_LEASE, clock.now()) is None
    assert pass_owner("same") != pass_owner("same")


def test_lease_break_is_a_dry_run_unless_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with world(tmp_path, FLEET) as w:
        for name, value in (w.values | {"SQLITE_PATH": str(tmp_path / "state.sqlite3")}).items():
            monkeypatch.setenv(name, value)
        leases = Leases(SqliteStateStore(tmp_path / "state.sqlite3"))
        now = datetime.now(UTC)  # the CLI runs on the real clock
        assert leases.acquire(PASS_LEASE, "crashed-pass.1", PASS_TTL, now) is not None
        assert leases.acquire(site_lease("Lyon Plant"), "crashed-worker.2", PASS_TTL, now) is not None
        assert main(["lease", "show"]) == 0
        shown = capsys.readouterr().out
        assert "crashed-pass.1" in shown and "crashed-worker.2" in shown
        assert main(["lease", "break"]) == 1 and "Dry run" in capsys.readouterr().out
        assert leases.holder(PASS_LEASE, now) is not None
        assert main(["lease", "break", "--site", "Lyon Plant", "--yes"]) == 0
        assert leases.holder(site_lease("Lyon Plant"), now) is None and leases.holder(PASS_LEASE, now) is not None
        assert main(["lease", "break", "--yes"]) == 0 and "Broke 1" in capsys.readouterr().out
        assert main(["lease", "show"]) == 0 and "No reconciliation pass lease" in capsys.readouterr().out
