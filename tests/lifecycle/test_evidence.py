"""Several inventory sources, merged (domain/lifecycle/evidence.py): the newest statement that still
counts wins, a person's mark never beats a later word from Teams, nothing older than the record's
last evidence-driven change moves it again, and stale counts from the last contact of any source."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from teams_sip.domain.lifecycle.actions import MarkActivated, MarkSignedIn, MarkStale, PlanPolicy
from teams_sip.domain.lifecycle.evidence import (
    REFRESH,
    Evidence,
    Said,
    Source,
    Statement,
    attribute,
    last_contact,
    merge,
    winner,
)
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.plan import plan
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState

from .support import entry, utc
from .test_plan import HID, World

S = DeviceState
ASSISTED = PlanPolicy(teams_lists_pending=False, offboarding=Offboarding())
CODES = utc(2026, 5, 5, 5)  # Berlin's window opens: the first code goes out
UPN = "ana@contoso.example"


def _code_issued() -> World:
    world = World([entry()], ASSISTED)
    world.run(utc(2026, 5, 1))
    world.run(CODES)
    assert world.state() == S.CODE_ISSUED
    return world


def _pass(world: World, at: datetime, said: Sequence[Evidence] = (), *, listed: bool = False) -> list[object]:
    """One pass with the teamwork listing retired (None) unless `listed`, and `said` this pass."""
    observed = world.teams.observed() if listed else None
    result = plan(world.roster, world.records, observed, world.sites, at, world.policy, {HID: list(said)})
    world.records.update(result.records)
    return list(result.actions)


def _ev(source: Source, said: Said, at: datetime, user: str | None = None, detail: str = "") -> Evidence:
    return Evidence(source, said, at, user, detail)


def test_a_sign_in_log_entry_after_the_code_signs_the_handset_in() -> None:
    world = _code_issued()
    signed = _ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES + timedelta(hours=1), UPN)
    actions = _pass(world, CODES + timedelta(hours=2), [signed])
    record = world.records[HID]
    assert record.state == S.SIGNED_IN and MarkSignedIn(HID, UPN) in actions
    assert "sign-in logs" in record.history[-1].cause and record.evidence == (signed,)
    assert _pass(world, CODES + timedelta(hours=4), [signed]) == []  # read again: nothing moves twice


def test_a_sign_in_before_the_first_code_says_nothing() -> None:
    world = _code_issued()
    _pass(world, CODES + timedelta(hours=2), [_ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES - timedelta(hours=1))])
    assert world.state() == S.CODE_ISSUED


def test_a_failed_sign_in_is_kept_as_a_reason_and_moves_nothing() -> None:
    world = _code_issued()
    failed = _ev(Source.SIGNIN_LOGS, Said.SIGN_IN_FAILED, CODES + timedelta(hours=1), UPN, "50126: Invalid password")
    _pass(world, CODES + timedelta(hours=2), [failed])
    assert world.state() == S.CODE_ISSUED and world.records[HID].evidence == (failed,)
    assert last_contact([failed]) is None


def test_a_technicians_mark_moves_the_handset_but_not_past_a_later_word_from_teams() -> None:
    world = _code_issued()
    dialled = _ev(Source.TECHNICIAN, Said.ACTIVATED, CODES + timedelta(hours=1))
    assert MarkActivated(HID) in _pass(world, CODES + timedelta(hours=2), [dialled])
    assert world.state() == S.ACTIVATED and "technician" in world.records[HID].history[-1].cause
    teams = _ev(Source.ADMIN_EXPORT, Said.ACTIVATED, CODES + timedelta(hours=5))  # Teams: still waiting
    person = _ev(Source.TECHNICIAN, Said.SIGNED_IN, CODES + timedelta(hours=4))  # older than Teams' word
    _pass(world, CODES + timedelta(hours=6), [person, teams])
    assert world.state() == S.ACTIVATED


def test_on_a_tie_teams_beats_a_person() -> None:
    world = _code_issued()
    at = CODES + timedelta(hours=1)
    best = winner([_ev(Source.TECHNICIAN, Said.SIGNED_IN, at), _ev(Source.ADMIN_EXPORT, Said.ACTIVATED, at)],
                  world.records[HID])
    assert best is not None and best.source == Source.ADMIN_EXPORT


def test_the_newest_statement_wins_whatever_the_order_it_arrives_in() -> None:
    world = _code_issued()
    signed_in = _ev(Source.BULK_SIGNIN, Said.SIGNED_IN, CODES + timedelta(hours=2), UPN)
    signed_out = _ev(Source.ADMIN_EXPORT, Said.ACTIVATED, CODES + timedelta(hours=3))
    _pass(world, CODES + timedelta(hours=4), [signed_out, signed_in])
    assert world.state() == S.ACTIVATED  # the export saw it signed out after the bulk sign-in


def test_merge_keeps_one_statement_per_source_and_kind_and_writes_nothing_when_unchanged() -> None:
    first = _ev(Source.TEAMWORK_DEVICES, Said.SIGNED_IN, CODES, UPN)
    kept = merge((), [first])
    assert merge(kept, [first]) is kept
    assert merge(kept, [_ev(Source.TEAMWORK_DEVICES, Said.SIGNED_IN, CODES + timedelta(hours=2), UPN)]) is kept
    later = _ev(Source.TEAMWORK_DEVICES, Said.SIGNED_IN, CODES + REFRESH, UPN)
    assert merge(kept, [later]) == (later,)
    other = _ev(Source.SIGNIN_LOGS, Said.SIGN_IN_FAILED, CODES, UPN, "50057")
    assert set(merge(kept, [other])) == {first, other}


def test_nothing_from_before_a_stale_verdict_brings_the_old_state_back() -> None:
    world = _code_issued()
    signed = _ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES + timedelta(hours=1), UPN)
    _pass(world, CODES + timedelta(hours=2), [signed])
    listed_at = CODES + timedelta(hours=3)
    world.teams.devices.pop(HID, None)
    _pass(world, listed_at, listed=True)  # a listing without it: the clock starts
    actions = _pass(world, listed_at + timedelta(days=31), listed=True)
    assert world.state() == S.STALE and MarkStale(HID) in actions
    _pass(world, listed_at + timedelta(days=32), [signed])
    assert world.state() == S.STALE


def test_stale_counts_from_the_last_contact_of_any_source() -> None:
    world = _code_issued()
    _pass(world, CODES + timedelta(hours=2), [_ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES + timedelta(hours=1))])
    world.teams.devices.pop(HID, None)
    start = CODES + timedelta(hours=3)
    _pass(world, start, listed=True)  # first listing without it
    later = _ev(Source.ADMIN_EXPORT, Said.SIGNED_IN, start + timedelta(days=20))  # the export still shows it
    _pass(world, start + timedelta(days=21), [later], listed=True)
    _pass(world, start + timedelta(days=31), listed=True)
    assert world.state() == S.SIGNED_IN  # 31 days missing from the listing, 11 since the export saw it
    _pass(world, start + timedelta(days=51), listed=True)
    assert world.state() == S.STALE


def test_without_any_listing_absence_of_evidence_changes_nothing() -> None:
    world = _code_issued()
    _pass(world, CODES + timedelta(hours=2), [_ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES + timedelta(hours=1))])
    assert _pass(world, CODES + timedelta(days=90)) == []
    assert world.state() == S.SIGNED_IN


def test_sign_ins_are_attributed_to_the_users_one_personal_handset_with_a_code() -> None:
    world = _code_issued()
    signed = _ev(Source.SIGNIN_LOGS, Said.SIGNED_IN, CODES)
    record = world.records[HID]
    other = dataclasses.replace(record, hardware_id="0003717C0E0B")
    matched, unmatched = attribute([Statement(signed, upn=record.upn.upper())], {HID: record})
    assert matched == {HID: [signed]} and unmatched == []
    matched, unmatched = attribute([Statement(signed, upn=record.upn)], {HID: record, other.hardware_id: other})
    assert matched == {} and len(unmatched) == 1  # two handsets: which one signed in is not in the log
    matched, _ = attribute([Statement(signed, hardware_id=HID)], {HID: record})
    assert matched == {HID: [signed]}


def test_evidence_survives_the_store() -> None:
    world = _code_issued()
    _pass(world, CODES + timedelta(hours=2), [_ev(Source.SIGNIN_LOGS, Said.SIGN_IN_FAILED, CODES, UPN, "50057")])
    record = world.records[HID]
    assert DeviceRecord.from_dict(record.to_dict()) == record
    assert DeviceRecord.from_dict(dict(record.to_dict(), format=1, history=list(record.to_dict()["history"]))) == record

