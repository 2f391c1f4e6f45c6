"""What Teams reports, read cheaply enough for a large estate (API provisioning mode).

Listing every device costs one request per 100 devices, every pass: 1,000 requests for 100,000
handsets, almost all of them signed in and unchanged. So a pass lists only the devices waiting on
activation or for sign-in (where onboarding happens) and lists the signed-in ones in full only
every `full_every` (default 24 hours; Teams removes a silent signed-in device after 30 days, so a
stale one is reported a day late at most) and whenever an interrupted pass left an intent.
Between full listings a device we saw signed in is taken as still signed in; a device we saw
activated that no longer waits for sign-in is asked for by id (or the full list is read when
there are many), so a sign-in is still noticed on the next pass.

A listing pages by continuation token, so its pages can only come one after another. When the
records say more than one state holds a page or more (mid-rollout: thousands waiting on activation
and thousands waiting for sign-in), the states are listed side by side, one stream each, at the
cost of at most two more last pages; single reads go out a few at a time. A pass then waits for the
longest list rather than for the sum of every round trip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.ports.provisioning import DEVICE_STATES, ProvisionedDevice, ProvisioningPort
from teams_sip.service.ports.provisioning import DeviceState as TeamsState
from teams_sip.service.ports.store import StateStore

MARKS_TABLE = "observations"
MARKS_PARTITION = "teams"
FULL_LISTING = "full-listing"
FULL_EVERY = timedelta(hours=24)
MAX_SINGLE_READS = 100  # more activated devices than this to look up: one full listing is cheaper
SINGLE_READS_AT_ONCE = 4  # as many as the HTTP clients' default concurrency
PAGE = 100  # docs/provisioning-api.md: list pages hold up to 100 devices
_IN_TEAMS: dict[DeviceState, TeamsState] = {
    DeviceState.REGISTERED: "waitingOnActivation", DeviceState.CODE_ISSUED: "waitingOnActivation",
    DeviceState.CODE_EXPIRED: "waitingOnActivation", DeviceState.ACTIVATED: "waitingForSignIn",
    DeviceState.SIGNED_IN: "signedIn"}
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
            return self._full(records, now)
        seen = {d.hardware_id: as_observed(d) for d in self._listed(("waitingOnActivation", "waitingForSignIn"))}
        moved = [h for h, r in records.items() if r.state == DeviceState.ACTIVATED and h not in seen]
        if len(moved) > MAX_SINGLE_READS:
            return self._full(records, now)
        with ThreadPoolExecutor(max_workers=SINGLE_READS_AT_ONCE) as pool:
            for device in pool.map(self._api.get, moved):  # signed in since (or gone: no longer listed)
                if device is not None:
                    seen[device.hardware_id] = as_observed(device)
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

    def _full(self, records: Mapping[str, DeviceRecord], now: datetime) -> dict[str, ObservedDevice]:
        expected = Counter(_IN_TEAMS.get(r.state) for r in records.values())
        split = sum(1 for state in DEVICE_STATES if expected[state] >= PAGE) > 1
        listed = self._listed(DEVICE_STATES) if split else self._api.list_devices()
        seen = {d.hardware_id: as_observed(d) for d in listed}
        self._store.upsert(MARKS_TABLE, MARKS_PARTITION, FULL_LISTING, {"at": now.isoformat()})
        return seen

    def _listed(self, states: Sequence[TeamsState]) -> list[ProvisionedDevice]:
        """Every device in `states`, one listing per state at the same time (each pages on its own)."""
        with ThreadPoolExecutor(max_workers=len(states)) as pool:
            return [d for devices in pool.map(self._api.list_devices, states) for d in devices]
