"""Who may act on the tenant right now. A whole-tenant pass and the per-site passes of the queue
workers exclude each other (each takes its own lease, then looks for the other kind, so two racing
passes can at worst both step back, never both act), and every Teams call is fenced: immediately
before it, the pass renews its leases, and a pass that lost one (it was too slow and another pass
took over) stops instead of sending a second registration or a second code."""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
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
from teams_sip.service.ports.store import Lease, LeaseLostError, Leases

PASS_LEASE = "reconcile"  # noqa: S105 - a lease name, not a secret
SITE_LEASE_PREFIX = f"{PASS_LEASE}-site-"
PASS_TTL = timedelta(minutes=2)  # short: a crashed pass blocks the next for at most this long
RENEW_EVERY_SECONDS = 30.0  # while a pass runs, its leases are renewed this often (well inside PASS_TTL)

log = logging.getLogger(__name__)


def site_lease(site: str) -> str:
    """Lease name of one site's work item (hashed: site names are free text)."""
    return SITE_LEASE_PREFIX + hashlib.sha256(site.encode()).hexdigest()[:16]


def pass_owner(correlation_id: str) -> str:
    """A lease owner fresh for every pass: two passes never share one, even when their requests reuse
    one x-request-id (the correlation id stays in it, for the logs)."""
    return f"{correlation_id[:60]}.{uuid.uuid4().hex[:12]}"


class PassLeases:
    def __init__(self, leases: Leases, owner: str, now: Callable[[], datetime], *,
                 renew_every: float = RENEW_EVERY_SECONDS) -> None:
        self._leases, self._owner, self._now = leases, owner, now
        self._held: list[Lease] = []
        self._fencing = threading.Lock()  # calls made together renew in turn: each renewal names the last etag
        self._renew_every = renew_every
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self.blocker: Lease | None = None  # the lease of the pass that made `acquire` step back

    def acquire(self, sites: Collection[str] | None) -> bool:
        """Take the leases (and keep them renewed while the pass runs); False, with `blocker`, when
        another pass holds one."""
        names = [PASS_LEASE] if sites is None else [site_lease(s) for s in sorted(set(sites))]
        for name in names:
            lease = self._leases.acquire(name, self._owner, PASS_TTL, self._now())
            if lease is None:
                self.blocker = self._leases.holder(name, self._now())
                self.release()
                return False
            self._held.append(lease)
        self.blocker = self._others(sites)
        if self.blocker is not None:
            self.release()
            return False
        self._stop.clear()
        self._heartbeat = threading.Thread(target=self._keep_renewed, name="pass-lease-renewal", daemon=True)
        self._heartbeat.start()
        return True

    def refusal(self) -> str:
        """Why this pass was skipped: whose lease, until when, and what to do if its pass crashed."""
        held = self.blocker
        if held is None:
            return "another reconciliation pass is running; this one was skipped"
        return (f"another reconciliation pass is running (lease '{held.name}' held by {held.owner} until "
                f"{held.expires_at:%Y-%m-%d %H:%M:%S} UTC unless renewed); this one was skipped. A crashed pass "
                "stops renewing, so its lease lapses by then; `teams-sip lease break` frees it at once.")

    def _others(self, sites: Collection[str] | None) -> Lease | None:
        now = self._now()
        if sites is None:
            return next((lease for lease in self._leases.active(now, SITE_LEASE_PREFIX)
                         if lease.owner != self._owner), None)
        whole = self._leases.holder(PASS_LEASE, now)
        return whole if whole is not None and whole.owner != self._owner else None

    def fence(self) -> None:
        """Renew every held lease; LeaseLostError when another pass took one over."""
        with self._fencing:
            self._held = [self._leases.renew(lease, PASS_TTL, self._now()) for lease in self._held]

    def _keep_renewed(self) -> None:
        """Renew live leases every few seconds; a lease that has lapsed (the pass stalled past its ttl)
        is left to the fence, which stops the pass if another one took over meanwhile."""
        while not self._stop.wait(self._renew_every):
            try:
                with self._fencing:
                    now = self._now()
                    if not self._held or any(lease.expires_at <= now for lease in self._held):
                        return
                    self._held = [self._leases.renew(lease, PASS_TTL, now) for lease in self._held]
            except LeaseLostError:
                return
            except Exception:  # a store hiccup: the next beat (or the fence) tries again
                log.warning("renewing the pass lease failed; trying again", exc_info=True)

    def release(self) -> None:
        self._stop.set()
        if self._heartbeat is not None and self._heartbeat is not threading.current_thread():
            self._heartbeat.join(timeout=10)
        self._heartbeat = None
        with self._fencing:
            for lease in self._held:
                self._leases.release(lease)
            self._held = []


def held_pass_leases(leases: Leases, now: datetime, site: str | None = None) -> list[Lease]:
    """The pass leases held right now (every one, or only `site`'s), for `teams-sip lease`."""
    if site is not None:
        held = leases.holder(site_lease(site), now)
        return [held] if held is not None else []
    return [lease for lease in leases.active(now, PASS_LEASE)
            if lease.name == PASS_LEASE or lease.name.startswith(SITE_LEASE_PREFIX)]


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
