"""The client's side of Microsoft's throttling: one bucket per service, as the service counts it.

Graph limits each service on its own (docs/microsoft.md, "Paging, `$batch` and throttling"): the
identity service by resource units per 10 seconds, Teams by requests per second, Outlook by requests
in flight per mailbox, and every Graph request against a global per-app figure. So each request is
priced against the buckets it draws on (`Draw`s), bulk reads wait until all of theirs have room, and
a 429 blocks only the buckets of the service that sent it, for its Retry-After: a throttled Teams
read never slows a users read. Figures come from HttpSettings (documented defaults in
teams_sip/throttling_limits.py, guesses in teams_sip/unverified.py).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import httpx

from teams_sip import throttling_limits as limits
from teams_sip import unverified
from teams_sip.config import HttpSettings

GLOBAL = "global"
DEVICE_MANAGEMENT = "devicemgmt"
POLICY_ADMIN = "policyadmin"


@dataclass
class Bucket:
    """Tokens refilled at `rate` per second up to `capacity`, starting full. A 429 blocks it until
    its Retry-After has passed. Guarded by the owning ServiceBudgets' lock."""

    rate: float
    capacity: float
    tokens: float = -1.0
    at: float = field(default_factory=time.monotonic)
    blocked_until: float = 0.0

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.capacity

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait(self, units: float, keep: float, now: float) -> float:
        """0 when `units` can go now leaving `keep` (a larger ask goes alone on a full bucket), else
        the seconds until it could."""
        self.refill(now)
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.tokens - units >= keep or (self.tokens >= self.capacity and units > self.capacity - keep):
            return 0.0
        return max((min(units, self.capacity) + keep - self.tokens) / self.rate, 0.001)


@dataclass(frozen=True)
class Draw:
    """`units` from the bucket `name`, sized `rate` per second and `capacity`."""

    name: str
    units: float
    rate: float
    capacity: float


class ServiceBudgets:
    """The buckets of one app in one tenant, shared by every client of a run (held by RequestMetrics).

    Graph counts every service per app and tenant, but its global figure per app across all tenants:
    a partner's deployment gives each tenant its own ServiceBudgets and lets them share one global
    bucket (`app_wide`), so a tenant that is throttled never blocks another, while all of them
    together stay under the app's global limit."""

    def __init__(self, app_wide: ServiceBudgets | None = None) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}
        self._app_wide = app_wide

    def _bucket(self, draw: Draw) -> Bucket:
        """Called holding this lock and, for the global bucket of a tenant, the app-wide lock too."""
        if draw.name == GLOBAL and self._app_wide is not None:
            return self._app_wide._bucket(draw)
        bucket = self._buckets.get(draw.name)
        if bucket is None or bucket.rate != draw.rate or bucket.capacity != draw.capacity:
            bucket = self._buckets[draw.name] = Bucket(draw.rate, draw.capacity)
        return bucket

    def _locked(self) -> contextlib.ExitStack:
        """This tenant's lock, then the app-wide one (always in this order: no deadlock)."""
        stack = contextlib.ExitStack()
        stack.enter_context(self._lock)
        if self._app_wide is not None:
            stack.enter_context(self._app_wide._locked())
        return stack

    def reserve(self, draws: Sequence[Draw], keep_share: float = 0.0) -> float:
        """Takes every draw and answers 0 when all fit (each bucket keeping `keep_share` of itself for
        requests that never wait); otherwise takes nothing and answers the longest wait."""
        with self._locked():
            now = time.monotonic()
            merged = _merged(draws)
            waits = [self._bucket(d).wait(d.units, keep_share * d.capacity, now) for d in merged]
            wait = max(waits, default=0.0)
            if wait == 0.0:
                for d in merged:
                    self._bucket(d).tokens -= d.units
            return wait

    def spend(self, draws: Sequence[Draw]) -> None:
        """Counts requests sent without waiting (pages): the buckets may run dry, or below, for them."""
        with self._locked():
            now = time.monotonic()
            for d in draws:
                bucket = self._bucket(d)
                bucket.refill(now)
                bucket.tokens -= d.units

    def block(self, draws: Sequence[Draw], seconds: float) -> None:
        """A 429: the buckets of the refusing service (not the global one) wait out its Retry-After.
        Of several 429s outstanding the shortest wait counts: the service has said a request may go
        again then (each refused request still waits for its own Retry-After)."""
        with self._locked():
            now = time.monotonic()
            for d in draws:
                if d.name != GLOBAL:
                    bucket = self._bucket(d)
                    pending = bucket.blocked_until if bucket.blocked_until > now else now + seconds
                    bucket.blocked_until = min(pending, now + seconds)

    def tokens(self, name: str) -> float | None:
        if name == GLOBAL and self._app_wide is not None:
            return self._app_wide.tokens(name)
        with self._lock:
            bucket = self._buckets.get(name)
            if bucket is None:
                return None
            bucket.refill(time.monotonic())
            return bucket.tokens


def _merged(draws: Sequence[Draw]) -> list[Draw]:
    units: dict[str, float] = {}
    first: dict[str, Draw] = {}
    for d in draws:
        units[d.name] = units.get(d.name, 0.0) + d.units
        first.setdefault(d.name, d)
    return [Draw(n, units[n], first[n].rate, first[n].capacity) for n in first]


def _rate_bucket(name: str, per_second: float, units: float = 1.0) -> Draw:
    return Draw(name, units, per_second, max(1.0, per_second * unverified.TEAMS_BURST_S))


def graph_draws(http: HttpSettings, method: str, path: str, query: Mapping[str, str]) -> list[Draw]:
    """The buckets one Graph request (path below the version root) draws on."""
    window = 10.0
    out = [Draw(GLOBAL, 1, http.graph_global_requests_per_10s / window, http.graph_global_requests_per_10s)]
    service = limits.graph_service(path)
    if service == limits.IDENTITY:
        quota = http.identity_units_per_10s
        out.append(Draw(limits.IDENTITY, limits.identity_cost(method, path, query), quota / window, quota))
    elif service == limits.TEAMS:
        get = method.upper() == "GET"
        out.append(_rate_bucket("teams-get" if get else "teams-other", http.teams_requests_per_second))
    elif service == limits.REPORTS:
        out.append(Draw(limits.REPORTS, 1, http.reports_requests_per_10s / window, http.reports_requests_per_10s))
    return out


def service_of(draws: Sequence[Draw]) -> str:
    """The service a request's draws name (the first that is not the global bucket)."""
    named = [d.name for d in draws if d.name != GLOBAL]
    return (named[0].split("-")[0] if named else GLOBAL)


def service_draws(http: HttpSettings, service: str) -> list[Draw]:
    """One request to a non-Graph service (device management, policy admin): a guessed rate."""
    rate = http.device_management_requests_per_second if service == DEVICE_MANAGEMENT else \
        http.policy_admin_requests_per_second
    return [_rate_bucket(service, rate)]


def split_url(url: str, roots: Sequence[str]) -> tuple[str, dict[str, str]] | None:
    """(path below the first matching API root, query options) of an absolute or root-relative URL."""
    parts = urlsplit(url)
    for root in roots:
        base = urlsplit(root).path.rstrip("/")
        if parts.path == base or parts.path.startswith(base + "/"):
            return parts.path[len(base):] or "/", dict(parse_qsl(parts.query, keep_blank_values=True))
    return None


PricingFn = Callable[[httpx.Request], tuple[list[Draw], bool]]


def service_pricing(http: HttpSettings, service: str) -> PricingFn:
    """Every request to a non-Graph service waits for its one guessed bucket."""
    draws = service_draws(http, service)
    return lambda request: (draws, True)


def graph_pricing(http: HttpSettings, roots: Sequence[str]) -> PricingFn:
    """Plain Graph requests (pages) wait only when their buckets are empty: they may take the share
    bulk reads leave them, and waiting a token's refill is cheaper than a 429's round trip. A `$batch`
    envelope costs nothing here; its sender reserves its inner requests' draws."""

    def price(request: httpx.Request) -> tuple[list[Draw], bool]:
        where = split_url(str(request.url), roots)
        if where is None or where[0].rstrip("/") == "/$batch":
            return [], False
        return graph_draws(http, request.method, *where), True

    return price
