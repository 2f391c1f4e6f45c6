"""A reconciliation process the SIGKILL tests can kill: `python -m tests.reliability.child_runner SETTINGS`.

It says `ready` once started, then reads one command per line on stdin, `{"now": ISO time,
"stop_at": point or null}`, and runs one pass on the SQLite store at that simulated time, answering
`done <ran>` on stdout. With `stop_at` it answers `at <point>` when the pass reaches that step (see
harness.CRASH_POINTS) and then waits, so the test can SIGKILL it exactly there: no product hook.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from tests.reliability.harness import CrashingStore, crashing_rollout


def _hold(point: str) -> None:
    print(f"at {point}", flush=True)
    while True:  # the parent kills us here
        time.sleep(1)


def main(settings_file: str) -> int:
    """One process: one store connection, one set of clients (as a Functions worker keeps them)."""
    values = json.loads(Path(settings_file).read_text())
    clock: ManualClock | None = None
    print("ready", flush=True)
    with SqliteStateStore(Path(values["SQLITE_PATH"])) as sqlite:
        store = CrashingStore(sqlite, die=_hold)
        for line in sys.stdin:
            command = json.loads(line)
            now = datetime.fromisoformat(command["now"])
            if clock is None:
                clock = ManualClock(now)
                wiring = build_wiring(settings_from_values(values), clock=clock, store=store)
            clock.set(now)
            outcome = crashing_rollout(wiring, store, command.get("stop_at")).run_pass(check_users=False)
            print(f"done {outcome.ran}", flush=True)
        if clock is not None:
            wiring.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
