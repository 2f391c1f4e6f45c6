"""The timer enqueues one work item per site plus a tenant-wide one; the queue worker runs the pass
for its item only, under that item's lease."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import azure.functions as func
import pytest
from azure.functions.timer import TimerRequest

from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.entrypoints.local_host import LocalFunctionsHost
from teams_sip.service.pass_leases import PASS_LEASE, PASS_TTL, site_lease
from tests.functions.support import ANNA, BEN, CLEO, FUNCTIONS, LYON_OPEN, fresh_app, upload, world


class Out(func.Out[list[str]]):
    def __init__(self) -> None:
        self.value: list[str] = []

    def set(self, val: list[str]) -> None:
        self.value = val

    def get(self) -> list[str]:
        return self.value


def _timer(past_due: bool) -> list[str]:
    out = Out()
    FUNCTIONS["reconcile_timer"].get_user_function()(timer=TimerRequest(past_due=past_due), work=out)
    return out.value


def _work(body: str, msg_id: str = "m1") -> None:
    FUNCTIONS["reconcile_worker"].get_user_function()(item=func.QueueMessage(id=msg_id, body=body.encode()))


def test_timer_enqueues_per_site_and_worker_runs_one_site(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with world(tmp_path) as w:
        upload()
        with caplog.at_level(logging.INFO):
            items = _timer(past_due=True)
        assert [json.loads(i) for i in items] == [{"site": "Lyon Plant"}, {"site": "Oslo Office"}, {"site": ""}]
        assert any("late" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)

        _work(items[0])
        states = {d.record.hardware_id: d.record.state for d in w.rollout.devices.all()}
        assert states == {ANNA: DeviceState.REGISTERED, BEN: DeviceState.REGISTERED}  # Oslo untouched
        assert w.rollout.ports.artifacts.get("reports/latest.json") is None  # a site pass is not the tenant's

        lease = w.rollout.leases.acquire(site_lease("Oslo Office"), "other-worker", PASS_TTL, w.clock.now())
        assert lease is not None
        _work(items[1], "m2")
        assert w.rollout.devices.get(CLEO) is None  # its site's lease is held elsewhere: skipped
        w.rollout.leases.release(lease)
        _work(items[1], "m3")
        cleo = w.rollout.devices.get(CLEO)
        assert cleo is not None and cleo.record.state is DeviceState.REGISTERED


def test_worker_skips_while_a_whole_tenant_pass_runs_and_drops_bad_items(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    with world(tmp_path) as w:
        upload()
        held = w.rollout.leases.acquire(PASS_LEASE, "admin-run", PASS_TTL, w.clock.now())
        assert held is not None
        _work(json.dumps({"site": "Lyon Plant"}))
        assert list(w.rollout.devices.all()) == []
        w.rollout.leases.release(held)
        with caplog.at_level(logging.ERROR):
            _work("not json", "bad-1")
            _work(json.dumps({"site": 7}), "bad-2")
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
            'work item bad-1 is not {"site": name}; dropped', 'work item bad-2 is not {"site": name}; dropped']
        assert list(w.rollout.devices.all()) == []


def test_local_host_timer_drives_the_whole_rollout(tmp_path: Path) -> None:
    """Through the local host (as `teams-sip serve` runs it): timer -> queue -> workers, then codes in the window."""
    with world(tmp_path) as w:
        upload()
        host = LocalFunctionsHost(fresh_app())
        host.fire_timer()
        assert {d.record.state for d in w.rollout.devices.all()} == {DeviceState.REGISTERED}
        w.clock.set(LYON_OPEN + timedelta(minutes=1))
        host.fire_timer()
        states = {d.record.hardware_id: d.record.state for d in w.rollout.devices.all()}
        assert states == {ANNA: DeviceState.CODE_ISSUED, BEN: DeviceState.CODE_ISSUED, CLEO: DeviceState.REGISTERED}
