"""What Teams reports, read cheaply enough for a large estate (API provisioning mode).

Listing every device costs one request per 100 devices, every pass: 1,000 requests for 100,000
handsets, almost all of them signed in and unchanged. So a pass lists only the devices waiting on
activation or for sign-in (where onboarding happens) and lists the signed-in ones in full only
every `full_every` (default 24 hours; Teams removes a silent signed-in device after 30 days, so a
stale one is reported a day late at most) and whenever an interrupted pass left an intent.
Between full listings a device we saw signed in is taken as still signed in; a device we saw
activated that no longer waits for sign-in is asked for by id (or the full list is read when
there are many), so a sign-in is still noticed on the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.ports.provisioning import ProvisionedDevice, ProvisioningPort
from teams_sip.service.ports.store import StateStore

MARKS_TABLE = "observations"
MARKS_PARTITION = "teams"
FULL_LISTING = "full-listing"
FULL_EVERY = timedelta(hours=24)
MAX_SINGLE_READS = 100  # more activated devices than this to look up: one full listing is cheaper
_OBSERVED = {"waitingOnActivation": ObservedState.WAITING_ON_ACTIVATION,
             "waitingForSignIn": ObservedState.WAITING_FOR_SIGN_IN, "signedIn": ObservedState.SIGNED_IN}
_SEEN_ACTIVE = frozenset({Attention.UNKNOWN_IN_TEAMS, Attention.REMOVED_BUT_ACTIVE})


def as_observed(device: ProvisionedDevice) -> ObservedDevice:
    return ObservedDevice(device.hardware_id, _OBSERVED[device.state], device.signed_in_user, device.last_seen,
                          device.code_expires_at)


class TeamsObserver:
    def __init__(self, api: ProvisioningPort, store: StateStore, full_every: timedelta = FULL_EVERY) -> None:
        self._api, self._full_every = api, full_every
        self._store = store

    def observe(self, records: Mapping[str, DeviceRecord], now: datetime) -> dict[str, ObservedDevice]:
        if self._full_due(records, now):
            return self._full(now)
        seen = {d.hardware_id: as_observed(d) for state in ("waitingOnActivation", "waitingForSignIn")
                for d in self._api.list_devices(state)}
        moved = [h for h, r in records.items() if r.state == DeviceState.ACTIVATED and h not in seen]
        if len(moved) > MAX_SINGLE_READS:
            return self._full(now)
        for hid in moved:  # signed in since (or gone: then Teams no longer lists it at all)
            device = self._api.get(hid)
            if device is not None:
                seen[hid] = as_observed(device)
        for hid, record in records.items():
            if hid not in seen and (record.state == DeviceState.SIGNED_IN or record.attention in _SEEN_ACTIVE):
                seen[hid] = ObservedDevice(hid, ObservedState.SIGNED_IN, record.upn or None)  # as at the full listing
        return seen

    def _full_due(self, records: Mapping[str, DeviceRecord], now: datetime) -> bool:
        mark = self._store.get(MARKS_TABLE, MARKS_PARTITION, FULL_LISTING)
        try:
            last = datetime.fromisoformat(str(mark.data.get("at"))) if mark is not None else None
        except ValueError:
            last = None  # an unreadable mark only costs one full listing
        if last is None or last.tzinfo is None or now - last >= self._full_every:
            return True
        return any(r.pending is not None for r in records.values())  # settle interrupted passes from everything

    def _full(self, now: datetime) -> dict[str, ObservedDevice]:
        seen = {d.hardware_id: as_observed(d) for d in self._api.list_devices()}
        self._store.upsert(MARKS_TABLE, MARKS_PARTITION, FULL_LISTING, {"at": now.isoformat()})
        return seen
