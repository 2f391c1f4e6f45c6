"""Stale by Microsoft's off-boarding rules only (assisted mode's SIP device inventory): a signed-in
handset missing for more than 30 days, a signed-out one for more than 14, counted from the first
listing without it; one gap, an unreadable inventory, or a reappearance changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teams_sip.domain.lifecycle.actions import MarkStale, PlanPolicy
from teams_sip.domain.lifecycle.inputs import ObservedState
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.plan import plan
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState

from .support import entry, utc
from .test_plan import HID, World

S = DeviceState
ASSISTED = PlanPolicy(teams_lists_pending=False, offboarding=Offboarding())
START = utc(2026, 5, 5, 5)


def _onboarded(*, signed_out: bool = False) -> World:
    world = World([entry()], ASSISTED)
    world.run(utc(2026, 5, 1))
    world.run(START)
    assert world.teams.dial(HID, START + timedelta(hours=1))
    world.teams.sign_in(HID, "ana@contoso.example")
    world.run(START + timedelta(hours=2))
    assert world.state() == S.SIGNED_IN
    if signed_out:
        world.teams.devices[HID].state = ObservedState.WAITING_FOR_SIGN_IN  # the user signed out
        world.teams.devices[HID].user = None
        world.run(START + timedelta(hours=3))
        assert world.state() == S.ACTIVATED
    return world


def _missing_for(world: World, days: int) -> tuple[DeviceRecord, list[object]]:
    """The inventory stops listing the handset; a pass every day for `days` days."""
    del world.teams.devices[HID]
    first = START + timedelta(hours=4)
    actions: list[object] = []
    for day in range(days + 1):
        actions += world.run(first + timedelta(days=day)).actions
    return world.records[HID], actions


@pytest.mark.parametrize(("signed_out", "days", "stale"), [(False, 29, False), (False, 30, False), (False, 31, True),
                                                            (True, 13, False), (True, 15, True)])
def test_stale_only_after_microsofts_days(signed_out: bool, days: int, stale: bool) -> None:
    record, actions = _missing_for(_onboarded(signed_out=signed_out), days)
    assert (record.state == S.STALE) is stale, record.history[-1]
    assert (MarkStale(HID) in actions) is stale
    if not stale:
        assert record.state == (S.ACTIVATED if signed_out else S.SIGNED_IN) and record.missing_since is not None


def test_one_gap_in_the_listing_is_forgotten_when_the_handset_is_listed_again() -> None:
    world = _onboarded()
    device = world.teams.devices.pop(HID)
    world.run(START + timedelta(days=1))
    assert world.records[HID].missing_since == START + timedelta(days=1)
    world.teams.devices[HID] = device
    world.run(START + timedelta(days=2))
    assert world.state() == S.SIGNED_IN and world.records[HID].missing_since is None
    record, _ = _missing_for(world, 29)
    assert record.state == S.SIGNED_IN  # the clock started again at the second gap


def test_no_observation_keeps_every_state_and_every_clock() -> None:
    world = _onboarded()
    before = dict(world.records)
    result = plan(world.roster, world.records, None, world.sites, START + timedelta(days=90), ASSISTED)
    assert result.actions == () and result.records == {}
    assert world.records == before


def test_a_stored_missing_since_survives_the_store() -> None:
    world = _onboarded()
    record, _ = _missing_for(world, 3)
    assert DeviceRecord.from_dict(record.to_dict()) == record
    assert DeviceRecord.from_dict(dict(record.to_dict(), history=list(record.to_dict()["history"]))) == record
