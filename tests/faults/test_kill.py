"""SIGKILL the reconciliation process (issue 9): a child process runs passes on the SQLite file
against the simulated tenant and is killed outright at chosen steps of a pass (six of them) and at
random moments; new processes carry on. The lease a killed pass leaves makes the next pass skip
until it lapses; then the same invariants hold as after in-process crashes, and the rollout ends
exactly as one that was never killed.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.pass_leases import PASS_TTL
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import (
    World,
    check_invariants,
    dial_all,
    handsets,
    later,
    leaks,
    logs_hold_no_secrets,  # noqa: F401 - the leak scan (pytestmark)
    projection,
    roster_csv,
    sign_in_all,
    world,
)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("logs_hold_no_secrets")]

ROOT = Path(__file__).resolve().parents[2]
FLEET = handsets(8, blocked_every=4)
DAY = FLEET[0].day
ANSWER_TIMEOUT_S = 60.0


CHILD_LOGS: list[str] = []  # stderr of every finished child, scanned for secrets


class Child:
    """One reconciliation process (tests/reliability/child_runner.py), fed one pass at a time."""

    def __init__(self, settings: Path) -> None:
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, "-m", "tests.reliability.child_runner", str(settings)],
                                        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        assert self.answer() == "ready"

    def send(self, w: World, stop_at: str | None = None) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"now": w.clock.now().isoformat(), "stop_at": stop_at}) + "\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = ANSWER_TIMEOUT_S) -> str | None:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.process.stdout.readline().strip()
        if not line:
            err = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"the child died on its own: {err[-3000:]}")
        return line

    def run(self, w: World, stop_at: str | None = None) -> str:
        self.send(w, stop_at)
        line = self.answer()
        assert line is not None, "the child did not answer"
        return line

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL
        self._finish()

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            assert self.process.wait(timeout=20) == 0
        self._finish()

    def _finish(self) -> None:
        """Keep what the process logged (stderr) for the leak scan in `_check`."""
        if self.process.stderr is not None and not self.process.stderr.closed:
            CHILD_LOGS.append(self.process.stderr.read())
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def _prepare(w: World, tmp: Path) -> Path:
    """Import and pre-flight in this process (the children reuse the stored verdicts)."""
    w.values["SQLITE_PATH"] = str(tmp / "state.sqlite3")
    settings = tmp / "settings.json"
    settings.write_text(json.dumps(w.values))
    with SqliteStateStore(tmp / "state.sqlite3") as store:
        rollout = Rollout(w.wiring(store))
        assert rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp").import_id
        rollout.refresh_verdicts(rollout.roster.current())
        rollout.ports.close()
    return settings


def _check(w: World, tmp: Path) -> dict[str, Any]:
    for text in CHILD_LOGS:
        assert not leaks(text, w), leaks(text, w)
    with SqliteStateStore(tmp / "state.sqlite3") as store:
        rollout = Rollout(w.wiring(store))
        check_invariants(w, rollout)
        return projection(rollout, w.clock.now())


def _killed_at(w: World, settings: Path, child: Child, point: str) -> Child:
    """Kill `child` at `point`; a new process first finds the dead pass's lease, then takes over."""
    assert child.run(w, point) == f"at {point}"
    child.kill()
    w.note_codes()
    survivor = Child(settings)
    assert survivor.run(w) == "done False", "the killed pass's lease must make the next pass skip"
    w.clock.advance(PASS_TTL + timedelta(minutes=1))
    assert survivor.run(w) == "done True"
    return survivor


def _life(w: World, tmp: Path, register_kill: str | None, codes_kill: str | None) -> dict[str, Any]:
    settings = _prepare(w, tmp)
    child = Child(settings)
    try:
        child = _killed_at(w, settings, child, register_kill) if register_kill else child
        if not register_kill:
            assert child.run(w) == "done True"
        _check(w, tmp)
        w.open_day(DAY)
        child = _killed_at(w, settings, child, codes_kill) if codes_kill else child
        if not codes_kill:
            assert child.run(w) == "done True"
        issued = _check(w, tmp)
        assert dial_all(w) == len(w.eligible)
        later(w)
        assert child.run(w) == "done True"
        sign_in_all(w)
        later(w)
        assert child.run(w) == "done True"
        final = _check(w, tmp)
    finally:
        if child.process.poll() is None:
            child.close()
    teams = {h: s for h, (s, _c, _e) in w.teams().items()}
    return {"issued": {h: p[:3] for h, p in issued.items()}, "final": final, "teams": teams}


@pytest.fixture(scope="module")
def unkilled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("unkilled")
    with world(tmp, FLEET) as w:
        return _life(w, tmp, None, None)


@pytest.mark.parametrize(("register_kill", "codes_kill"), [
    ("mid-intents-register", "after-issue"),
    ("after-register", "after-deliver"),
    ("mid-settle-register", "mid-settle-codes"),
])
def test_sigkill_at_chosen_steps_then_restart(register_kill: str, codes_kill: str, tmp_path: Path,
                                              unkilled: dict[str, Any]) -> None:
    with world(tmp_path, FLEET) as w:
        result = _life(w, tmp_path, register_kill, codes_kill)
        assert all(1 <= len(codes) <= 2 for codes in w.issued.values())
    assert result == unkilled
    assert set(result["teams"].values()) == {"signedIn"}


def test_sigkill_at_random_moments_of_slow_passes(tmp_path: Path, unkilled: dict[str, Any]) -> None:
    """Answers take 80 ms, so an install-day pass lasts a few hundred ms; it is killed at seeded
    random moments, each time by a fresh process after the last one's lease lapsed."""
    rng = random.Random(9)
    with world(tmp_path, FLEET, faults={"latency_ms": 80}) as w:
        settings = _prepare(w, tmp_path)
        child = Child(settings)
        assert child.run(w) == "done True"
        child.close()
        _check(w, tmp_path)
        w.open_day(DAY)
        killed = 0
        for _ in range(3):
            child = Child(settings)
            child.send(w)
            if child.answer(timeout=rng.uniform(0.05, 0.4)) is None:
                child.kill()
                killed += 1
                w.note_codes()
                w.clock.advance(PASS_TTL + timedelta(minutes=1))
            else:
                child.close()
        assert killed >= 2, "most random moments should fall inside a pass"
        w.sim.set_faults(latency_ms=0)
        child = Child(settings)
        try:
            assert child.run(w) == "done True"
            _check(w, tmp_path)
            assert dial_all(w) == len(w.eligible)
            later(w)
            assert child.run(w) == "done True"
            sign_in_all(w)
            later(w)
            assert child.run(w) == "done True"
        finally:
            child.close()
        assert _check(w, tmp_path) == unkilled["final"]
