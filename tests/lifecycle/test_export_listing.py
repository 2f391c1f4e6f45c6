"""The admin's export of the SIP device list as a complete listing as of its time (issue 20): with the
teamwork listing retired, a handset the newest export no longer shows turns stale after Microsoft's
30 (signed in) / 14 (signed out) days without contact from any source; newer words keep it alive."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from teams_sip.domain.lifecycle.actions import MarkStale
from teams_sip.domain.lifecycle.device_export import DeviceExport, absences
from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, unlisted_since
from teams_sip.domain.lifecycle.inputs import ObservedState
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.domain.roster import RowIssue

from .support import TeamsDevice
from .test_evidence import CODES, UPN, _code_issued, _pass
from .test_plan import HID, World

S = DeviceState
SIGNED = Evidence(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES + timedelta(hours=1), UPN)
EXPORT = CODES + timedelta(days=2)  # the export that no longer shows the handset


def _unlisted(at: datetime) -> Evidence:
    return Evidence(Source.ADMIN_EXPORT, Said.UNLISTED, at)


def _signed_in() -> World:
    world = _code_issued()
    _pass(world, CODES + timedelta(hours=2), [SIGNED])
    assert world.state() == S.SIGNED_IN
    return world


def test_a_signed_in_handset_the_export_no_longer_shows_turns_stale_after_30_days() -> None:
    world = _signed_in()
    _pass(world, EXPORT + timedelta(hours=1), [_unlisted(EXPORT)])
    assert world.records[HID].missing_since == EXPORT  # missing since the export, not since the pass
    assert _pass(world, EXPORT + timedelta(days=29)) == [] and world.state() == S.SIGNED_IN
    actions = _pass(world, EXPORT + timedelta(days=30, hours=1))
    assert world.state() == S.STALE and MarkStale(HID) in actions
    assert _pass(world, EXPORT + timedelta(days=40)) == []  # the same export, read again, says nothing more


def test_a_signed_out_handset_turns_stale_after_14_days() -> None:
    world = _signed_in()
    out = Evidence(Source.ADMIN_EXPORT, Said.ACTIVATED, CODES + timedelta(days=1))  # an export shows it signed out
    _pass(world, CODES + timedelta(days=1, hours=1), [out])
    assert world.state() == S.ACTIVATED
    _pass(world, EXPORT + timedelta(hours=1), [_unlisted(EXPORT)])
    _pass(world, EXPORT + timedelta(days=13))
    assert world.state() == S.ACTIVATED
    _pass(world, EXPORT + timedelta(days=14, hours=1))
    assert world.state() == S.STALE


def test_a_sign_in_after_the_export_keeps_the_handset_alive() -> None:
    world = _signed_in()
    later = Evidence(Source.SIGNIN_LOGS, Said.SIGNED_IN, EXPORT + timedelta(days=3), UPN)
    _pass(world, EXPORT + timedelta(days=4), [_unlisted(EXPORT), later])
    assert unlisted_since(world.records[HID].evidence, world.records[HID]) is None
    _pass(world, EXPORT + timedelta(days=40))
    assert world.state() == S.SIGNED_IN


def test_an_export_older_than_the_newest_word_says_nothing() -> None:
    world = _signed_in()
    _pass(world, CODES + timedelta(hours=3), [_unlisted(CODES)])  # made before the sign-in it does not show
    assert world.records[HID].missing_since is None
    _pass(world, CODES + timedelta(days=60))
    assert world.state() == S.SIGNED_IN


def test_a_later_export_that_shows_it_again_resets_the_clock() -> None:
    world = _signed_in()
    _pass(world, EXPORT + timedelta(hours=1), [_unlisted(EXPORT)])
    again = Evidence(Source.ADMIN_EXPORT, Said.SIGNED_IN, EXPORT + timedelta(days=20), UPN)
    _pass(world, EXPORT + timedelta(days=20, hours=1), [again])
    _pass(world, EXPORT + timedelta(days=35))
    assert world.state() == S.SIGNED_IN
    gone = EXPORT + timedelta(days=25)  # a third export without it: the clock starts there, not at the first
    _pass(world, gone + timedelta(hours=1), [_unlisted(gone)])
    assert world.records[HID].missing_since == gone
    _pass(world, gone + timedelta(days=29))
    assert world.state() == S.SIGNED_IN
    _pass(world, gone + timedelta(days=31))
    assert world.state() == S.STALE


def test_a_teamwork_listing_that_shows_the_handset_beats_an_older_export() -> None:
    world = _signed_in()
    world.teams.devices[HID] = TeamsDevice(ObservedState.SIGNED_IN, user=UPN)
    _pass(world, EXPORT + timedelta(hours=1), [_unlisted(EXPORT)], listed=True)
    _pass(world, EXPORT + timedelta(days=31), listed=True)
    assert world.state() == S.SIGNED_IN and world.records[HID].missing_since is None


def test_a_handset_never_signed_in_is_not_expected_in_the_export() -> None:
    world = _code_issued()
    dialled = Evidence(Source.TECHNICIAN, Said.ACTIVATED, CODES + timedelta(hours=1))
    _pass(world, CODES + timedelta(hours=2), [dialled, _unlisted(CODES + timedelta(hours=2))])
    _pass(world, CODES + timedelta(days=60))
    assert world.state() == S.ACTIVATED


def test_absences_only_from_an_export_that_can_be_a_complete_listing() -> None:
    world = _signed_in()
    other = "0003717C0E0B"
    records = {HID: world.records[HID], other: dataclasses.replace(world.records[HID], hardware_id=other)}
    listed = DeviceExport((), (), 0, frozenset({other}))
    assert [(s.hardware_id, s.evidence.said, s.evidence.at) for s in absences(listed, records, EXPORT)] == [
        (HID, Said.UNLISTED, EXPORT)]
    assert absences(DeviceExport((), (), 0, frozenset()), records, EXPORT) == ()  # a whole fleet never goes at once
    unreadable = DeviceExport((), (RowIssue(3, "MAC address", "not a hardware id"),), 0, frozenset({other}))
    assert absences(unreadable, records, EXPORT) == ()  # the unreadable row may be the missing handset
