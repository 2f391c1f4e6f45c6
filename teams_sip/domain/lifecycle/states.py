"""Lifecycle states of a handset and the one table of allowed transitions.

Every state change goes through `transition()`, which refuses a move the table does not list, so a
bug or a surprising observation shows up as an error instead of silently rewriting a device's story.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from teams_sip.errors import TeamsSipError

if TYPE_CHECKING:
    from teams_sip.domain.lifecycle.records import DeviceRecord


class DeviceState(StrEnum):
    IMPORTED = "imported"  # named by the roster, not yet judged
    BLOCKED = "blocked"  # the user is not eligible (or needs an admin's attention)
    WAITING_FOR_POLICY = "waiting_for_policy"  # a calling policy change is still propagating
    READY = "ready"  # eligible, not yet registered in Teams
    REGISTERED = "registered"  # waiting on activation in Teams, no code yet
    CODE_ISSUED = "code_issued"  # a live verification code exists
    CODE_EXPIRED = "code_expired"  # the last code lapsed unused
    ACTIVATED = "activated"  # code dialled: Teams waits for the user to sign in
    SIGNED_IN = "signed_in"
    STALE = "stale"  # gone from Teams after activation (removed for inactivity)
    REMOVED_FROM_ROSTER = "removed_from_roster"
    UNKNOWN_IN_TEAMS = "unknown_in_teams"  # Teams has it, no roster names it


S = DeviceState

# States in which a device has not activated yet: the roster's verdict still decides its path.
PRE_ACTIVATION: frozenset[DeviceState] = frozenset(
    {S.IMPORTED, S.BLOCKED, S.WAITING_FOR_POLICY, S.READY, S.REGISTERED, S.CODE_ISSUED, S.CODE_EXPIRED}
)
# States in which the device exists in Teams as activated (a code was dialled).
ACTIVE: frozenset[DeviceState] = frozenset({S.ACTIVATED, S.SIGNED_IN})

_JUDGED = {S.BLOCKED, S.WAITING_FOR_POLICY, S.READY}
_FOLLOW_TEAMS = {S.ACTIVATED, S.SIGNED_IN}

TRANSITIONS: dict[DeviceState, frozenset[DeviceState]] = {
    S.IMPORTED: frozenset(_JUDGED | {S.REMOVED_FROM_ROSTER}),
    S.BLOCKED: frozenset({S.WAITING_FOR_POLICY, S.READY, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS),
    S.WAITING_FOR_POLICY: frozenset({S.BLOCKED, S.READY, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS),
    S.READY: frozenset({S.BLOCKED, S.WAITING_FOR_POLICY, S.REGISTERED, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS),
    S.REGISTERED: frozenset(
        {S.BLOCKED, S.WAITING_FOR_POLICY, S.READY, S.CODE_ISSUED, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS
    ),
    S.CODE_ISSUED: frozenset(
        {S.BLOCKED, S.WAITING_FOR_POLICY, S.READY, S.CODE_EXPIRED, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS
    ),
    S.CODE_EXPIRED: frozenset(
        {S.BLOCKED, S.WAITING_FOR_POLICY, S.READY, S.CODE_ISSUED, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS
    ),
    S.ACTIVATED: frozenset({S.SIGNED_IN, S.STALE, S.REGISTERED, S.REMOVED_FROM_ROSTER}),
    S.SIGNED_IN: frozenset({S.ACTIVATED, S.STALE, S.REGISTERED, S.REMOVED_FROM_ROSTER}),
    S.STALE: frozenset({S.READY, S.REGISTERED, S.REMOVED_FROM_ROSTER} | _FOLLOW_TEAMS),
    S.REMOVED_FROM_ROSTER: frozenset({S.IMPORTED}),
    S.UNKNOWN_IN_TEAMS: frozenset({S.IMPORTED}),
}


def can_transition(from_state: DeviceState, to_state: DeviceState) -> bool:
    return to_state in TRANSITIONS[from_state]


class IllegalTransitionError(TeamsSipError):
    """The lifecycle table forbids this move; the record is left as it was."""

    def __init__(self, hardware_id: str, from_state: DeviceState, to_state: DeviceState, cause: str) -> None:
        self.hardware_id = hardware_id
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(
            f"Device {hardware_id} cannot move from '{from_state}' to '{to_state}' ({cause}). "
            "Its record was not changed; check what Teams reports for it and its roster row."
        )


@dataclass(frozen=True)
class Transition:
    """One line of a device's history: kept forever, so an admin can see why it is where it is."""

    at: datetime
    from_state: DeviceState | None  # None for the record's creation
    to_state: DeviceState
    cause: str

    def to_dict(self) -> dict[str, str | None]:
        return {
            "at": self.at.isoformat(),
            "from": None if self.from_state is None else self.from_state.value,
            "to": self.to_state.value,
            "cause": self.cause,
        }


def transition(record: DeviceRecord, to_state: DeviceState, at: datetime, cause: str) -> DeviceRecord:
    """The record moved to `to_state`, with the move appended to its history.

    Raises IllegalTransitionError when the table does not allow it (including staying in place)."""
    if not can_transition(record.state, to_state):
        raise IllegalTransitionError(record.hardware_id, record.state, to_state, cause)
    step = Transition(at=at, from_state=record.state, to_state=to_state, cause=cause)
    return dataclasses.replace(record, state=to_state, history=(*record.history, step))
