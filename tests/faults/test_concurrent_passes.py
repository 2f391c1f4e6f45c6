"""Two reconciliation passes at once against one store (issue 9): two Function instances, or the
timer and an admin's "run now", each with its own connection to the SQLite file or to Table
Storage (Azurite). The pass that comes second while the first is inside a Teams call finds the
lease taken and skips; nothing reaches Teams twice (counted per device by a recording wrapper
around the real port, and by the simulator's own request counts).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.service.pass_leases import PASS_TTL
from teams_sip.service.ports.store import StateStore
from teams_sip.service.rollout import PassOutcome, Rollout
from tests.azurite import Azurite, running
from tests.reliability.harness import (
    RecordingPort,
    World,
    WrappedRollout,
    check_invariants,
    handsets,
    later,
    logs_hold_no_secrets,  # noqa: F401 - the leak scan (pytestmark)
    records,
    roster_csv,
    world,
)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("logs_hold_no_secrets")]

FLEET = handsets(9, blocked_every=5)
DAY = FLEET[0].day
REGISTER = "POST /provisioning/v1/devices/register"
ISSUE = "POST /provisioning/v1/devices/issueCodes"


@pytest.fixture(scope="module")
def azurite() -> Iterator[Azurite]:
    yield from running(("table",))


@pytest.fixture(params=["sqlite", "tables"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], StateStore]:
    """Each call opens a new connection, as a second process would."""
    if request.param == "sqlite":
        return lambda: SqliteStateStore(tmp_path / "state.sqlite3")
    server: Azurite = request.getfixturevalue("azurite")
    return lambda: TableStateStore.from_connection_string(server.connection_string)


def _rollout(w: World, open_store: Callable[[], StateStore], calls: dict[str, list[str]], **hold: Any) -> Rollout:
    return WrappedRollout(w.wiring(open_store()), lambda port: RecordingPort(port, calls, **hold))


def _overlapping(w: World, open_store: Callable[[], StateStore], call: str,
                 calls: dict[str, list[str]]) -> tuple[PassOutcome, PassOutcome]:
    """Pass A parks inside `call`; pass B runs meanwhile; then A finishes."""
    holding, release = threading.Event(), threading.Event()
    first = _rollout(w, open_store, calls, hold=call, holding=holding, release=release)
    second = _rollout(w, open_store, calls)
    outcome: dict[str, PassOutcome] = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("a", first.run_pass(correlation_id="pass-a")))
    thread.start()
    try:
        assert holding.wait(30), "pass A never reached its Teams call"
        b = second.run_pass(correlation_id="pass-b")
    finally:
        release.set()
        thread.join(30)
    first.ports.close()
    second.ports.close()
    return outcome["a"], b


def test_two_passes_at_once_never_act_twice(open_store: Callable[[], StateStore], tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        calls: dict[str, list[str]] = {}
        Rollout(w.wiring(open_store())).import_file(roster_csv(FLEET), "fleet.csv", actor="admin",
                                                      correlation_id="imp")
        a, b = _overlapping(w, open_store, "register", calls)
        assert a.ran and not b.ran and "another reconciliation pass" in b.message
        eligible = sorted(h.hardware_id for h in w.eligible)
        assert sorted(calls["register"]) == eligible
        assert w.sim.stats()["requests"][REGISTER] == 1

        w.open_day(DAY)
        a, b = _overlapping(w, open_store, "issue_codes", calls)
        assert a.ran and not b.ran
        assert sorted(calls["issue_codes"]) == eligible, "one code per device for its window"
        issue_requests = w.sim.stats()["requests"][ISSUE]
        rollout = Rollout(w.wiring(open_store()))
        check_invariants(w, rollout)
        assert all(len(codes) == 1 for codes in w.issued.values())

        later(w)  # the lease is free again: a pass with nothing to do changes nothing in Teams
        assert rollout.run_pass().ran
        assert sorted(calls["issue_codes"]) == eligible and w.sim.stats()["requests"][ISSUE] == issue_requests
        assert {r.state.value for h, r in records(rollout).items() if h in eligible} == {"code_issued"}
        rollout.ports.close()


def _registered_on_install_day(w: World, tmp_path: Path) -> Callable[[], StateStore]:
    """The fleet imported and registered on one SQLite file, the clock at the install-day opening."""
    def store() -> StateStore:
        return SqliteStateStore(tmp_path / "state.sqlite3")

    Rollout(w.wiring(store())).import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp")
    assert Rollout(w.wiring(store())).run_pass().ran
    w.open_day(DAY)
    return store


def test_a_pass_whose_lease_lapsed_does_not_call_teams_again(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        calls: dict[str, list[str]] = {}
        store = _registered_on_install_day(w, tmp_path)
        holding, release = threading.Event(), threading.Event()
        slow = _rollout(w, store, calls, hold="issue_codes", holding=holding, release=release)
        thread = threading.Thread(target=lambda: slow.run_pass(correlation_id="slow"))
        thread.start()
        try:
            assert holding.wait(30)
            w.clock.advance(PASS_TTL + timedelta(minutes=1))  # A's lease lapses while it waits on Teams
            assert _rollout(w, store, calls).run_pass(correlation_id="next").ran
        finally:
            release.set()
            thread.join(30)
        per_device = {h: calls["issue_codes"].count(h) for h in set(calls["issue_codes"])}
        assert set(per_device.values()) == {1}, f"issueCodes reached Teams twice: {per_device}"


def test_a_whole_tenant_pass_waits_for_a_running_site_pass(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        calls: dict[str, list[str]] = {}
        store = _registered_on_install_day(w, tmp_path)
        lyon = [h.hardware_id for h in w.eligible if h.site == "Lyon Plant"]
        holding, release = threading.Event(), threading.Event()
        site_pass = _rollout(w, store, calls, hold="issue_codes", holding=holding, release=release)
        outcome: dict[str, PassOutcome] = {}
        thread = threading.Thread(target=lambda: outcome.setdefault(
            "site", site_pass.run_pass(correlation_id="site", sites=["Lyon Plant"])))
        thread.start()
        try:
            assert holding.wait(30)
            whole = _rollout(w, store, calls).run_pass(correlation_id="whole")
        finally:
            release.set()
            thread.join(30)
        assert outcome["site"].ran
        sent = [h for h in calls["issue_codes"] if h in lyon]
        assert sorted(sent) == sorted(lyon), f"issueCodes reached Teams twice for Lyon (whole pass ran: {whole.ran})"
