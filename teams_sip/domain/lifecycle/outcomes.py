"""How the executor records a provisioning call: the intent before it, the outcome after it.

An intent written before the call and settled after is what makes a pass crash-safe: a record
still carrying an intent tells the next plan that a call may or may not have happened, and the
plan settles it from what Teams reports (see plan.py). The code itself is never stored: only its
fingerprint and expiry.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from teams_sip.domain.lifecycle.records import DeviceRecord, IntentKind, PendingIntent
from teams_sip.domain.lifecycle.states import DeviceState, IllegalTransitionError, transition
from teams_sip.domain.secrets import Secret


def intend(record: DeviceRecord, kind: IntentKind, at: datetime, cause: str) -> DeviceRecord:
    """Record the call about to be made. An intent repeated while the same kind is still pending keeps
    the time it was first made: in assisted mode a code request stays pending pass after pass until
    the admin's export arrives, and the first ask is the earliest the admin can have generated a code."""
    earlier = record.pending
    if earlier is not None and earlier.kind == kind:
        at = min(at, earlier.at)
    return dataclasses.replace(record, pending=PendingIntent(kind, at, cause))


def settle_registered(record: DeviceRecord, at: datetime) -> DeviceRecord:
    """Teams accepted the device (created or already there): it now waits on activation."""
    moved = record
    if record.state != DeviceState.REGISTERED:
        moved = transition(record, DeviceState.REGISTERED, at, "registered in Teams")
    return dataclasses.replace(moved, pending=None)


def settle_code(record: DeviceRecord, code: Secret, expires_at: datetime, at: datetime, *,
                fingerprint_key: bytes) -> DeviceRecord:
    """Teams issued `code`; keep its fingerprint (keyed: Secret.fingerprint) and expiry. Refuses when
    the record still holds a live code, because two live codes for one device is exactly what the
    plan must never cause."""
    if record.code_is_live(at):
        raise IllegalTransitionError(record.hardware_id, record.state, DeviceState.CODE_ISSUED, "a live code exists")
    cause = "first code issued" if record.codes_issued == 0 else f"code renewed ({record.codes_issued})"
    moved = transition(record, DeviceState.CODE_ISSUED, at, cause)
    return dataclasses.replace(
        moved,
        code_fingerprint=code.fingerprint(fingerprint_key),
        code_expires_at=expires_at,
        codes_issued=record.codes_issued + 1,
        pending=None,
    )


def settle_released(record: DeviceRecord) -> DeviceRecord:
    """Teams removed the device (or had already): nothing is pending any more."""
    return dataclasses.replace(record, pending=None)


def settle_failed(record: DeviceRecord) -> DeviceRecord:
    """The call was answered with a refusal: drop the intent so the next plan decides afresh
    from what Teams reports (a refused call cannot have issued a code)."""
    return dataclasses.replace(record, pending=None)


def settle_already_activated(record: DeviceRecord, at: datetime) -> DeviceRecord:
    """Teams refused a code because the device has activated (`alreadyActivated`): follow Teams.
    This is how assisted mode learns of an activation its device list cannot show."""
    moved = record
    if record.state != DeviceState.ACTIVATED:
        moved = transition(record, DeviceState.ACTIVATED, at, "Teams reports the device already activated")
    return dataclasses.replace(moved, pending=None, code_fingerprint=None)


def settle_not_registered(record: DeviceRecord, at: datetime) -> DeviceRecord:
    """Teams refused a code because it does not know the device (`notRegistered`): register again."""
    moved = record
    if record.state != DeviceState.READY:
        moved = transition(record, DeviceState.READY, at, "Teams no longer knows the device: register again")
    return dataclasses.replace(moved, pending=None)
