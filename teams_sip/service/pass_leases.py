"""Who may act on the tenant right now. A whole-tenant pass and the per-site passes of the queue
workers exclude each other (each takes its own lease, then looks for the other kind, so two racing
passes can at worst both step back, never both act), and every Teams call is fenced: immediately
before it, the pass renews its leases, and a pass that lost one (it was too slow and another pass
took over) stops instead of sending a second registration or a second code."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from teams_sip.service.ports.provisioning import (
    DeviceRegistration,
    DeviceState,
    IssuedCode,
    ProvisionedDevice,
    ProvisioningPort,
    RegisterResult,
)
from teams_sip.service.ports.store import Lease, Leases

PASS_LEASE = "reconcile"  # noqa: S105 - a lease name, not a secret
SITE_LEASE_PREFIX = f"{PASS_LEASE}-site-"
PASS_TTL = timedelta(minutes=20)


def site_lease(site: str) -> str:
    """Lease name of one site's work item (hashed: site names are free text)."""
    return SITE_LEASE_PREFIX + hashlib.sha256(site.encode()).hexdigest()[:16]


class PassLeases:
    def __init__(self, leases: Leases, owner: str, now: Callable[[], datetime]) -> None:
        self._leases, self._owner, self._now = leases, owner, now
        self._held: list[Lease] = []
        self._fencing = threading.Lock()  # calls made together renew in turn: each renewal names the last etag

    def acquire(self, sites: Collection[str] | None) -> bool:
        names = [PASS_LEASE] if sites is None else [site_lease(s) for s in sorted(set(sites))]
        for name in names:
            lease = self._leases.acquire(name, self._owner, PASS_TTL, self._now())
            if lease is None:
                self.release()
                return False
            self._held.append(lease)
        if self._others(sites):
            self.release()
            return False
        return True

    def _others(self, sites: Collection[str] | None) -> bool:
        now = self._now()
        if sites is None:
            return any(lease.owner != self._owner for lease in self._leases.active(now, SITE_LEASE_PREFIX))
        whole = self._leases.holder(PASS_LEASE, now)
        return whole is not None and whole.owner != self._owner

    def fence(self) -> None:
        """Renew every held lease; LeaseLostError when another pass took one over."""
        with self._fencing:
            self._held = [self._leases.renew(lease, PASS_TTL, self._now()) for lease in self._held]

    def release(self) -> None:
        for lease in self._held:
            self._leases.release(lease)
        self._held = []


class FencedPort:
    """The provisioning port with the pass's fence checked right before each call that changes Teams."""

    def __init__(self, inner: ProvisioningPort, fence: Callable[[], None]) -> None:
        self._inner, self._fence = inner, fence

    def register(self, devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        self._fence()
        return self._inner.register(devices)

    def issue_codes(self, hardware_ids: Sequence[str]) -> list[IssuedCode]:
        self._fence()
        return self._inner.issue_codes(hardware_ids)

    def remove(self, hardware_id: str) -> bool:
        self._fence()
        return self._inner.remove(hardware_id)

    def list_devices(self, state: DeviceState | None = None) -> list[ProvisionedDevice]:
        return self._inner.list_devices(state)

    def get(self, hardware_id: str) -> ProvisionedDevice | None:
        return self._inner.get(hardware_id)
