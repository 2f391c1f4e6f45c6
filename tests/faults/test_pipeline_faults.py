"""The whole pipeline at 500 handsets while the cloud misbehaves (issue 9): about 10% of answers
throttled (429 + Retry-After: a busy service at random, and bursts beyond the budget), 5% 503/504,
2% connections reset mid-answer and 1% answers held past the client timeout. The timer runs passes
every half hour as it would; every eligible handset still has its code on its install day and not
before, no device is lost, and Teams never holds a code that the worksheets do not show (never two
live codes for one handset).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import (
    World,
    check_invariants,
    handsets,
    later,
    logs_hold_no_secrets,  # noqa: F401 - the leak scan (pytestmark)
    records,
    roster_csv,
    world,
)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("logs_hold_no_secrets")]

DAYS = (date(2026, 3, 17), date(2026, 3, 18))
FLEET = handsets(500, days=DAYS, blocked_every=10)
FAULTS = {"rate_limit_per_s": 200.0, "burst": 20.0, "throttled": 0.1, "error_503": 0.025, "error_504": 0.025,
          "resets": 0.02, "slow": 0.01, "slow_seconds": 1.5}
HTTP = {"HTTP_TIMEOUT_SECONDS": "0.6", "HTTP_MAX_RETRIES": "6"}
MAX_PASSES = 4  # per day: the timer keeps running; a pass whose calls failed after retries is redone


def _passes(w: World, rollout: Rollout) -> int:
    """Passes half an hour apart until one completes without a failed call; answers how many ran."""
    failures: list[tuple[str, str]] = []
    for n in range(1, MAX_PASSES + 1):
        outcome = rollout.run_pass()
        assert outcome.ran and outcome.execution is not None
        w.note_codes()
        failures = outcome.execution.failures
        if not failures:
            return n
        later(w)
    raise AssertionError(f"still failing after {MAX_PASSES} passes: {failures[:5]}")


def test_500_handsets_through_a_misbehaving_cloud(tmp_path: Path) -> None:
    with world(tmp_path, FLEET, faults=FAULTS, extra=HTTP) as w, SqliteStateStore(tmp_path / "s.sqlite3") as store:
        rollout = Rollout(w.wiring(store))
        try:
            assert rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp").import_id
            _passes(w, rollout)
            check_invariants(w, rollout)
            assert not w.issued, "no code before any install window opens"
            eligible = {h.hardware_id for h in w.eligible}
            assert {h for h, (state, _c, _e) in w.teams().items()} == eligible

            for day in DAYS:
                w.open_day(day)
                _passes(w, rollout)
                check_invariants(w, rollout)
                stored = records(rollout)
                due = {h.hardware_id for h in w.eligible if h.day == day}
                waiting = {h.hardware_id for h in w.eligible if h.day > day}
                assert {h for h in due if stored[h].state is DeviceState.CODE_ISSUED} == due, "codes on the day"
                assert not waiting & set(w.issued), "no code before its own install day"
                assert all(len(w.issued[h]) == 1 for h in due), "one code per handset for its window"
            assert len(stored) == len(FLEET), "no device lost"
        finally:
            rollout.ports.close()
        stats = w.sim.stats()
        print(f"\n500 handsets: {stats['totalRequests']} requests (+{stats['innerBatchRequests']} in $batch), "
              f"throttled {stats['throttled']}, faults {stats['faults']}")
        # The draws are seeded but threads interleave, so a rare kind may miss a run: check the volume.
        # About ten of each are expected over the ~160 requests; a floor of two leaves chance no say.
        assert sum(stats["faults"].values()) >= 2, "503/504, resets and slow answers were injected"
        assert stats["throttled"] >= 2, "throttling was exercised"
