"""What Teams reports, read cheaply enough for a large estate (API provisioning mode).

Listing every device costs one request per 100 devices, every pass: 1,000 requests for 100,000
handsets, almost all of them signed in and unchanged. So a pass lists only the devices waiting on
activation or for sign-in (where onboarding happens) and lists the signed-in ones in full only
every `full_every` (default 24 hours; Teams removes a silent signed-in device after 30 days, so a
stale one is reported a day late at most) and whenever an interrupted pass left an intent.
Between full listings a device we saw signed in is taken as still signed in; a device we saw
activated that no longer waits for sign-in is asked for by id (or the full list is read when
there are many), so a sign-in is still noticed on the next pass.

A listing pages by continuation token, so its pages can only come one after another. Once the
last observation counted a page or more of devices (those registered since count in), each state
is listed in a stream of its own (at the cost of at most two more last pages), and the waiting
states' streams start before the pass has read its own records (`TeamsObserver.watch`), so the
longest stream overlaps the pass's local reads; single reads go out a few at a time. A pass then
waits for the longest list rather than for the sum of every round trip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
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
LAST_COUNT = "last-count"  # devices the last observation counted: large estates list each state apart
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
        with self.watch(now) as watch:
            return watch.result(records)

    @contextmanager
    def watch(self, now: datetime) -> Iterator[Watch]:
        """Starts listing what every pass needs (when the estate is large) and answers a Watch whose
        `result(records)` completes the picture once the caller has read its records."""
        with ThreadPoolExecutor(max_workers=len(DEVICE_STATES)) as pool:
            yield Watch(self, pool, now)

    def _last_full(self) -> datetime | None:
        mark = self._store.get(MARKS_TABLE, MARKS_PARTITION, FULL_LISTING)
        try:
            last = datetime.fromisoformat(str(mark.data.get("at"))) if mark is not None else None
        except ValueError:
            return None  # an unreadable mark only costs one full listing
        return last if last is not None and last.tzinfo is not None else None

    def _last_count(self) -> int:
        """Devices in Teams as the last pass knew them; 0 without a (readable) mark."""
        mark = self._store.get(MARKS_TABLE, MARKS_PARTITION, LAST_COUNT)
        count = mark.data.get("devices") if mark is not None else None
        return count if isinstance(count, int) else 0

    def _large(self) -> bool:
        return self._last_count() >= PAGE

    def expect(self, registered: int) -> None:
        """Devices this pass registered after observing are in Teams now, though no listing counted
        them: counted in, the next pass (the first install day after a large upload) lists each
        state apart from its start instead of waiting for its records."""
        if registered:
            self._store.upsert(MARKS_TABLE, MARKS_PARTITION, LAST_COUNT, {"devices": self._last_count() + registered})

    def _remember(self, seen: Mapping[str, ObservedDevice], now: datetime, *, full: bool) -> None:
        self._store.upsert(MARKS_TABLE, MARKS_PARTITION, LAST_COUNT, {"devices": len(seen)})
        if full:
            self._store.upsert(MARKS_TABLE, MARKS_PARTITION, FULL_LISTING, {"at": now.isoformat()})


class Watch:
    """One observation in progress: the streams already listing, and how to finish it."""

    def __init__(self, observer: TeamsObserver, pool: ThreadPoolExecutor, now: datetime) -> None:
        self._observer, self._api, self._pool, self._now = observer, observer._api, pool, now
        last = observer._last_full()
        self._full_by_time = last is None or now - last >= observer._full_every
        self._streams: dict[TeamsState, Future[list[ProvisionedDevice]]] = {}
        if observer._large():
            self._list(DEVICE_STATES if self._full_by_time else ("waitingOnActivation", "waitingForSignIn"))

    def _list(self, states: Sequence[TeamsState]) -> None:
        for state in states:
            if state not in self._streams:
                self._streams[state] = self._pool.submit(self._api.list_devices, state)

    def _listed(self, states: Sequence[TeamsState]) -> list[ProvisionedDevice]:
        self._list(states)
        return [d for state in states for d in self._streams[state].result()]

    def result(self, records: Mapping[str, DeviceRecord]) -> dict[str, ObservedDevice]:
        full = self._full_by_time or any(r.pending is not None for r in records.values())  # settle interrupted passes
        seen = None if full else self._waiting(records)
        if seen is None:
            full, seen = True, self._full(records)
        self._observer._remember(seen, self._now, full=full)
        return seen

    def _full(self, records: Mapping[str, DeviceRecord]) -> dict[str, ObservedDevice]:
        if not self._streams:  # a small estate, as far as anyone knows: one stream, unless the records say otherwise
            expected = Counter(_IN_TEAMS.get(r.state) for r in records.values())
            if sum(1 for state in DEVICE_STATES if expected[state] >= PAGE) <= 1:
                return {d.hardware_id: as_observed(d) for d in self._api.list_devices()}
        return {d.hardware_id: as_observed(d) for d in self._listed(DEVICE_STATES)}

    def _waiting(self, records: Mapping[str, DeviceRecord]) -> dict[str, ObservedDevice] | None:
        """The waiting states listed, signed-in devices taken as at the full listing; None when so
        many activated devices left the lists that one full listing is cheaper than reading each."""
        seen = {d.hardware_id: as_observed(d) for d in self._listed(("waitingOnActivation", "waitingForSignIn"))}
        moved = [h for h, r in records.items() if r.state == DeviceState.ACTIVATED and h not in seen]
        if len(moved) > MAX_SINGLE_READS:
            return None
        with ThreadPoolExecutor(max_workers=SINGLE_READS_AT_ONCE) as pool:
            for device in pool.map(self._api.get, moved):  # signed in since (or gone: no longer listed)
                if device is not None:
                    seen[device.hardware_id] = as_observed(device)
        for hid, record in records.items():
            if hid not in seen and (record.state == DeviceState.SIGNED_IN or record.attention in _SEEN_ACTIVE):
                seen[hid] = ObservedDevice(hid, ObservedState.SIGNED_IN, record.upn or None)  # as at the full listing
        return seen
