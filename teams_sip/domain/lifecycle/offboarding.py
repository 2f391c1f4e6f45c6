"""When a handset the SIP device inventory no longer lists counts as stale (assisted mode).

Microsoft off-boards stale SIP devices by itself: a signed-in (paired) device after 30 days without a
connection, a signed-out one after 14 days (SIP Gateway plan article; docs/microsoft.md). The
inventory is a beta listing that may fail, answer empty or skip a device, so one absence proves
nothing: a handset is stale only once it has been missing from every listing for that long, counted
from the first listing that no longer showed it (at most one pass after it was last seen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState

SIGNED_IN_LIMIT = timedelta(days=30)
SIGNED_OUT_LIMIT = timedelta(days=14)


@dataclass(frozen=True)
class Offboarding:
    signed_in: timedelta = SIGNED_IN_LIMIT
    signed_out: timedelta = SIGNED_OUT_LIMIT

    def limit(self, record: DeviceRecord) -> timedelta | None:
        """How long `record` may be missing before it is stale; None when its absence says nothing
        (the inventory lists a device only after its first sign-in)."""
        if record.state == DeviceState.SIGNED_IN:
            return self.signed_in
        if record.state == DeviceState.ACTIVATED and was_signed_in(record):
            return self.signed_out
        return None


def was_signed_in(record: DeviceRecord) -> bool:
    """Signed in at least once since it was last onboarded, so the inventory has listed it."""
    for step in reversed(record.history):
        if step.to_state == DeviceState.SIGNED_IN:
            return True
        if step.to_state in (DeviceState.READY, DeviceState.REGISTERED):
            return False
    return False
