"""More codes on one install day than one issueCodes call takes (500): the calls go out together,
and when one of them is stopped (the pass lost its lease) the codes the others brought back still
reach the worksheets before the pass gives up. The calls also see the pass's collector pace
(service/collector.py), and the process gets its own back afterwards."""

from __future__ import annotations

import gc
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.collector import PASS_THRESHOLD
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import LeaseLostError
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import World, WrappedRollout, check_invariants, handsets, roster_csv, world

FLEET = handsets(600)  # three sites of 200 handsets, one install day: two calls (two sites, then one)
DAY = FLEET[0].day


class CallsPort:
    """The real port; each issueCodes call first waits at `gate` for the others, and a call for as
    many devices as `refuse` is refused as a fence that found the lease taken over."""

    def __init__(self, gate: threading.Barrier, refuse: int = 0) -> None:
        self.gate, self.refuse = gate, refuse
        self.inner: ProvisioningPort | None = None
        self.calls = 0
        self.gc_threshold = gc.get_threshold()  # as a call saw it
        self._lock = threading.Lock()

    def around(self, inner: ProvisioningPort) -> CallsPort:
        self.inner = inner
        return self

    def issue_codes(self, hardware_ids: Sequence[str]) -> Any:
        with self._lock:
            self.calls += 1
        self.gc_threshold = gc.get_threshold()
        self.gate.wait()  # every call in flight at once, or the barrier times out and the pass fails
        if len(hardware_ids) == self.refuse:
            raise LeaseLostError("another pass took over")
        assert self.inner is not None
        return self.inner.issue_codes(hardware_ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _registered(w: World, tmp: Path) -> None:
    rollout = Rollout(w.wiring(SqliteStateStore(tmp / "state.sqlite3")))
    assert rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp").import_id
    assert rollout.run_pass().ran
    rollout.ports.close()
    w.open_day(DAY)


def test_the_calls_of_one_pass_are_in_flight_together(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        _registered(w, tmp_path)
        wiring = w.wiring(SqliteStateStore(tmp_path / "state.sqlite3"))
        port = CallsPort(threading.Barrier(2, timeout=20))
        rollout = WrappedRollout(wiring, port.around)
        try:
            outcome = rollout.run_pass()
        finally:
            wiring.close()
        assert port.calls == 2 and outcome.execution is not None
        assert port.gc_threshold[0] == PASS_THRESHOLD and gc.get_threshold()[0] < PASS_THRESHOLD  # pass's pace
        assert len(outcome.execution.issued) == len(FLEET) and not outcome.execution.failures
        check_invariants(w, rollout)


def test_codes_from_the_other_calls_reach_the_worksheets_when_one_call_is_stopped(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        _registered(w, tmp_path)
        wiring = w.wiring(SqliteStateStore(tmp_path / "state.sqlite3"))
        port = CallsPort(threading.Barrier(2, timeout=20), refuse=400)  # the first call (two sites) of the two
        rollout = WrappedRollout(wiring, port.around)
        try:
            outcome = rollout.run_pass()
        finally:
            wiring.close()
        assert not outcome.ran and "another pass took over" in outcome.message
        shown = {line["hardware_id"] for line in w.worksheet_lines()}
        holding = {hid for hid, (_state, code, _exp) in w.teams().items() if code is not None}
        assert holding == {h.hardware_id for h in FLEET if h.site == "Oslo Depot"}  # the second call's
        assert holding == shown, "every code Teams issued is on a worksheet, though the call before was stopped"
        check_invariants(w, rollout, settled=False)
        again = Rollout(w.wiring(SqliteStateStore(tmp_path / "state.sqlite3")))
        try:
            assert again.run_pass().ran
        finally:
            again.ports.close()
        check_invariants(w, again)
        assert {line["hardware_id"] for line in w.worksheet_lines()} == {h.hardware_id for h in FLEET}
