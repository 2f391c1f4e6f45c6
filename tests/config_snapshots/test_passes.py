"""Reconciliation passes every 15 minutes for a day: at most one snapshot job, and every report
says which source judged the policies and how old it is."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import handsets, roster_csv, world

FLEET = handsets(4, blocked_every=2)


def _source(out: Path) -> str:
    report = json.loads((out / "reports" / "latest.json").read_text())
    text: str = report["policySource"]
    return text


def test_a_day_of_passes_asking_everyone_creates_one_snapshot_job(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        rollout = Rollout(w.wiring(SqliteStateStore(tmp_path / "s.sqlite3")))
        assert rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="i").import_id
        rollout.run_pass(check_all_users=True)
        assert "snapshot job was started" in _source(w.folder)
        sources = []
        for _ in range(95):
            w.clock.advance(timedelta(minutes=15))
            rollout.run_pass(check_all_users=True)
            sources.append(_source(w.folder))
        assert w.sim.world.config_snapshots.created == 1
        assert all(s.startswith("configuration snapshot taken") for s in sources)
        assert "23 hours ago" in sources[-1]
