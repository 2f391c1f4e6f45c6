"""TeamsObserver over the simulated provisioning API: signed-in devices are listed in full only
once a day, yet a sign-in, an activation and a stale device are each still noticed."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.provisioning.api_client import build_provisioning_client
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.domain.lifecycle.inputs import ObservedState, Verdict
from teams_sip.domain.lifecycle.records import DeviceRecord, IntentKind, PendingIntent
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.observation import TeamsObserver
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users
from teams_sip.simulator.scenario import ScenarioDevice

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGNED = [f"00000001{i:04X}" for i in range(250)]
WAITING = "000000000200"
USER = "anna@contoso.com"


def _record(hid: str, state: DeviceState) -> DeviceRecord:
    return DeviceRecord(hid, "ipei", USER, "Anna", "personal", "Lyon", None, None, Verdict.ELIGIBLE, state)


def _estate() -> dict[str, DeviceRecord]:
    return {h: _record(h, DeviceState.SIGNED_IN) for h in SIGNED} | {WAITING: _record(WAITING, DeviceState.REGISTERED)}


@pytest.fixture
def world() -> Iterator[tuple[Any, TeamsObserver, Any]]:
    clock = ManualClock(START)
    devices = (*(ScenarioDevice(h, "Lyon", "signedIn", USER) for h in SIGNED), ScenarioDevice(WAITING, "Lyon"))
    scenario = replace(scenario_for_users([(USER, "Anna", "eligible")]), devices=devices, start=START)
    with SimulatedTenant.start(scenario, clock=clock) as sim:
        settings = settings_from_values(settings_values(sim))
        with build_provisioning_client(settings, build_token_provider(settings, clock)) as api:
            yield sim, TeamsObserver(api, MemoryStateStore()), api


def _list_requests(sim: Any) -> int:
    return int(sim.stats()["requests"].get("GET /provisioning/v1/devices", 0))


def test_signed_in_devices_are_listed_in_full_once_a_day(world: tuple[Any, TeamsObserver, Any]) -> None:
    sim, observer, _ = world
    records = _estate()
    first = observer.observe(records, START)
    assert {h for h, o in first.items() if o.state == ObservedState.SIGNED_IN} == set(SIGNED)
    sim.reset_stats()
    sim.clock.advance(timedelta(hours=1))
    second = observer.observe(records, sim.clock.now())
    assert _list_requests(sim) == 2, "one page per waiting state; the 250 signed-in devices are not listed"
    assert second[WAITING].state == ObservedState.WAITING_ON_ACTIVATION
    assert all(second[h].state == ObservedState.SIGNED_IN for h in SIGNED)

    sim.take_offline(SIGNED[0])
    sim.clock.advance(timedelta(days=31))  # Teams removes the silent device as stale
    sim.reset_stats()
    later = observer.observe(records, sim.clock.now())
    assert _list_requests(sim) == 3 + 1 + 1, "a full listing, one stream per state: 251 devices are five pages"
    assert SIGNED[0] not in later and SIGNED[1] in later


def test_an_activated_device_that_signed_in_is_read_by_id(world: tuple[Any, TeamsObserver, Any]) -> None:
    sim, observer, api = world
    records = _estate()
    observer.observe(records, START)  # the day's full listing
    code = api.issue_codes([WAITING])[0].code
    sim.dial_code(WAITING, code.reveal())
    activated = observer.observe(records, START + timedelta(minutes=5))
    assert activated[WAITING].state == ObservedState.WAITING_FOR_SIGN_IN
    records[WAITING] = _record(WAITING, DeviceState.ACTIVATED)
    sim.sign_in(WAITING, USER)
    signed = observer.observe(records, START + timedelta(minutes=10))
    assert signed[WAITING].state == ObservedState.SIGNED_IN and signed[WAITING].signed_in_user == USER


def test_a_pending_intent_or_a_damaged_mark_asks_for_everything(world: tuple[Any, TeamsObserver, Any]) -> None:
    sim, observer, _ = world
    records = {h: _record(h, DeviceState.SIGNED_IN) for h in SIGNED}
    observer.observe(records, START)
    store = observer._store  # the observer's own state store
    store.upsert("observations", "teams", "full-listing", {"at": "not a time"})
    sim.reset_stats()
    observer.observe(records, START + timedelta(minutes=1))
    assert _list_requests(sim) == 3 + 1 + 1, "an unreadable mark: a full listing (a stream per state)"
    sim.reset_stats()
    observer.observe(records, START + timedelta(minutes=2))
    assert _list_requests(sim) == 2, "the mark was written again: one page per waiting state"
    records[SIGNED[0]] = replace(records[SIGNED[0]], pending=PendingIntent(IntentKind.RELEASE, START, "release"))
    sim.reset_stats()
    observer.observe(records, START + timedelta(minutes=3))
    assert _list_requests(sim) == 3 + 1 + 1, "an interrupted pass's intent is settled from a full listing"


def test_two_large_states_are_listed_side_by_side_and_give_the_same_picture() -> None:
    """Mid-rollout (a page or more in two states) the full listing goes one stream per state: the same
    devices as one listing, for at most two more last pages."""
    clock = ManualClock(START)
    waiting = [f"00000002{i:04X}" for i in range(150)]
    devices = (*(ScenarioDevice(h, "Lyon", "signedIn", USER) for h in SIGNED),
               *(ScenarioDevice(h, "Lyon") for h in waiting))
    records = {h: _record(h, DeviceState.SIGNED_IN) for h in SIGNED} | {
        h: _record(h, DeviceState.REGISTERED) for h in waiting}
    scenario = replace(scenario_for_users([(USER, "Anna", "eligible")]), devices=devices, start=START)
    with SimulatedTenant.start(scenario, clock=clock) as sim:
        settings = settings_from_values(settings_values(sim))
        with build_provisioning_client(settings, build_token_provider(settings, clock)) as api:
            whole = {d.hardware_id for d in api.list_devices()}
            sim.reset_stats()
            seen = TeamsObserver(api, MemoryStateStore()).observe(records, START)
    assert set(seen) == whole == set(SIGNED) | set(waiting)
    assert {h for h, o in seen.items() if o.state == ObservedState.WAITING_ON_ACTIVATION} == set(waiting)
    assert _list_requests(sim) == 3 + 2 + 1, "250 signed in, 150 waiting, and an empty waiting-for-sign-in page"


def _requests_soon(sim: Any, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while _list_requests(sim) == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    return _list_requests(sim)


def test_a_large_estate_is_listed_before_the_records_are_read(world: tuple[Any, TeamsObserver, Any]) -> None:
    """Once an observation counted a page or more of devices, the next one starts its streams on
    entry, so they overlap whatever the pass reads meanwhile; the picture is the same."""
    sim, observer, _ = world
    records = _estate()
    first = observer.observe(records, START)
    sim.reset_stats()
    with observer.watch(START + timedelta(hours=1)) as watch:
        assert _requests_soon(sim) > 0, "the waiting states are listed before result() is asked for"
        second = watch.result(records)
    assert _list_requests(sim) == 2, "not a full listing: one page per waiting state"
    assert {h: o.state for h, o in second.items()} == {h: o.state for h, o in first.items()}


@contextmanager
def _one_device() -> Iterator[tuple[Any, TeamsObserver]]:
    """A tenant holding one handset, waiting on activation, and a new observer (no marks yet)."""
    clock = ManualClock(START)
    scenario = replace(scenario_for_users([(USER, "Anna", "eligible")]), devices=(ScenarioDevice(WAITING, "Lyon"),),
                       start=START)
    with SimulatedTenant.start(scenario, clock=clock) as sim:
        settings = settings_from_values(settings_values(sim))
        with build_provisioning_client(settings, build_token_provider(settings, clock)) as api:
            yield sim, TeamsObserver(api, MemoryStateStore())


def test_a_small_or_new_estate_waits_for_the_records() -> None:
    """With no count from an earlier observation nothing is listed until the records are known
    (a new tenant's first pass); a full listing of a small estate is then one stream."""
    with _one_device() as (sim, observer):
        with observer.watch(START) as watch:
            time.sleep(0.2)
            assert _list_requests(sim) == 0
            seen = watch.result({WAITING: _record(WAITING, DeviceState.REGISTERED)})
        assert _list_requests(sim) == 1 and seen[WAITING].state == ObservedState.WAITING_ON_ACTIVATION


def test_devices_registered_since_count_in_before_any_listing_does() -> None:
    """A pass that registered a page or more of handsets after observing counts them in, so the next
    pass (the first install day after a large upload) lists each state from its start."""
    with _one_device() as (sim, observer):
        observer.observe({WAITING: _record(WAITING, DeviceState.REGISTERED)}, START)  # counts one device
        observer.expect(0)
        sim.reset_stats()
        with observer.watch(START):
            time.sleep(0.2)
            assert _list_requests(sim) == 0, "one device and nothing registered: still a small estate"
        observer.expect(99)
        sim.reset_stats()
        with observer.watch(START) as watch:
            assert _requests_soon(sim) > 0, "one seen plus 99 registered: a page, listed on entry"
            watch.result({WAITING: _record(WAITING, DeviceState.REGISTERED)})
