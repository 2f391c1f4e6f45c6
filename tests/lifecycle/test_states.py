"""The transition table, checked pair by pair against the lifecycle as the issue describes it."""

from __future__ import annotations

import itertools

import pytest

from teams_sip.domain.lifecycle.records import new_record
from teams_sip.domain.lifecycle.states import (
    TRANSITIONS,
    DeviceState,
    IllegalTransitionError,
    can_transition,
    transition,
)

from .support import entry, utc

S = DeviceState

# The lifecycle written out as prose-like lines, independent of the table's construction.
EXPECTED = """
imported: blocked waiting_for_policy ready removed_from_roster
blocked: waiting_for_policy ready removed_from_roster activated signed_in
waiting_for_policy: blocked ready removed_from_roster activated signed_in
ready: blocked waiting_for_policy registered removed_from_roster activated signed_in
registered: blocked waiting_for_policy ready code_issued removed_from_roster activated signed_in
code_issued: blocked waiting_for_policy ready code_expired removed_from_roster activated signed_in
code_expired: blocked waiting_for_policy ready code_issued removed_from_roster activated signed_in
activated: signed_in stale registered removed_from_roster
signed_in: activated stale registered removed_from_roster
stale: ready registered removed_from_roster activated signed_in
removed_from_roster: imported
unknown_in_teams: imported
"""


def _expected() -> set[tuple[DeviceState, DeviceState]]:
    pairs = set()
    for line in EXPECTED.strip().splitlines():
        source, targets = line.split(":")
        pairs |= {(S(source), S(t)) for t in targets.split()}
    return pairs


ALL_PAIRS = list(itertools.product(DeviceState, DeviceState))
ALLOWED = _expected()


def _record_in(state: DeviceState):
    import dataclasses

    return dataclasses.replace(new_record(entry(), None, utc(2026, 5, 1)), state=state)


def test_every_state_has_a_row() -> None:
    assert set(TRANSITIONS) == set(DeviceState)
    assert {s.value for s in DeviceState} == {
        "imported", "blocked", "waiting_for_policy", "ready", "registered", "code_issued", "code_expired",
        "activated", "signed_in", "stale", "removed_from_roster", "unknown_in_teams",
    }  # fmt: skip


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_pair(source: DeviceState, target: DeviceState) -> None:
    record = _record_in(source)
    at = utc(2026, 5, 5, 9)
    if (source, target) in ALLOWED:
        assert can_transition(source, target)
        moved = transition(record, target, at, "because")
        assert moved.state == target
        assert moved.history[:-1] == record.history
        last = moved.history[-1]
        assert (last.at, last.from_state, last.to_state, last.cause) == (at, source, target, "because")
        assert record.state == source  # the original is untouched (frozen)
    else:
        assert not can_transition(source, target)
        with pytest.raises(IllegalTransitionError) as caught:
            transition(record, target, at, "because")
        assert caught.value.from_state == source and caught.value.to_state == target
        assert record.hardware_id in str(caught.value) and source.value in str(caught.value)


def test_no_state_may_stay_in_place_through_transition() -> None:
    assert not any(can_transition(s, s) for s in DeviceState)


def test_every_state_is_reachable_from_a_roster_row_or_a_teams_report() -> None:
    seen = {S.IMPORTED, S.UNKNOWN_IN_TEAMS}
    frontier = list(seen)
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(DeviceState)


def test_a_code_is_only_issued_to_a_registered_device() -> None:
    assert {a for a, b in ALLOWED if b == S.CODE_ISSUED} == {S.REGISTERED, S.CODE_EXPIRED}
