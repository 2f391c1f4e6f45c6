"""Throttling as Microsoft documents it, per service, per app (the simulator serves one tenant).

Two presets (`FaultSettings.throttling`):
- "flat": today's single token bucket per app (`rate_limit_per_s`, `burst`), integer Retry-After.
- "documented": every Graph request draws on the global bucket and on its service's: identity by
  resource units (the documented cost rule; the bucket sized by the tenant's users), identity writes,
  Teams GETs and other Teams calls at their rates, identity reports (sign-in logs), Outlook by
  requests per mailbox plus at most 4 requests in flight per mailbox; the undocumented device-management
  and policy-admin services at the guesses in `invented.py`. A request is admitted only when every
  bucket it draws on has room (then it takes from all); otherwise 429 with the wait the fullest-short
  bucket needs. Each inner `$batch` request is admitted on its own; the envelope draws on none.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from teams_sip import throttling_limits as limits
from teams_sip.simulator import invented

FLAT, DOCUMENTED = "flat", "documented"
PRESETS = (FLAT, DOCUMENTED)
GRAPH_PREFIXES = ("/v1.0", "/beta")


class TokenBucket:
    """A budget over wall time: starts full, refills at `rate` up to `capacity`."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def wait(self, cost: float, now: float) -> float:
        """0.0 when `cost` fits now (nothing is taken), else the seconds until it would."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        need = min(cost, self.capacity)  # a request dearer than the bucket goes on a full one
        return 0.0 if self.tokens >= need else (need - self.tokens) / self.rate

    def take(self, cost: float) -> None:
        self.tokens -= cost

    def take_now(self, cost: float = 1.0) -> float:
        """The flat preset's draw: takes when it fits, else answers the wait."""
        wait = self.wait(cost, time.monotonic())
        if wait == 0.0:
            self.take(cost)
        return wait


@dataclass(frozen=True)
class Draw:
    """One bucket a request draws on: its key, the family it is counted under, the cost, the size."""

    key: str
    family: str
    cost: float
    rate: float
    capacity: float
    scope: str = ""  # x-ms-throttle-scope for identity refusals


@dataclass(frozen=True)
class Refusal:
    """A 429 as Graph sends it: Retry-After (decimal seconds, as the documented sample shows) and,
    for identity, the scope and reason headers."""

    headers: dict[str, str]


def _per_s(amount: float, window_s: float) -> float:
    return amount / window_s


def draws(prefix: str, method: str, path: str, query: Mapping[str, str], app: str, tenant: str,
          tenant_users: int) -> list[Draw]:
    """Every documented (or, outside Graph, invented) bucket one request draws on."""
    if prefix in ("/provisioning/v1", "/bulksignin/v1"):
        rate = invented.DEVICE_MANAGEMENT_REQUESTS_PER_S
        return [Draw("devicemgmt", "devicemgmt", 1, rate, rate * invented.BURST_S)]
    if prefix == "/policyadmin":
        rate = invented.POLICY_ADMIN_REQUESTS_PER_S
        return [Draw("policyadmin", "policyadmin", 1, rate, rate * invented.BURST_S)]
    if prefix not in GRAPH_PREFIXES:
        return []
    out = [Draw("global", "global", 1, _per_s(limits.GLOBAL_REQUESTS_PER_10S, 10), limits.GLOBAL_REQUESTS_PER_10S)]
    service = limits.graph_service(path)
    if service == limits.IDENTITY:
        quota = limits.IDENTITY_UNITS_PER_10S[limits.tenant_size(tenant_users)]
        scope = f"Tenant_Application/{{}}/{app}/{tenant}"
        out.append(Draw("identity", "identity", limits.identity_cost(method, path, query),
                        _per_s(quota, limits.IDENTITY_WINDOW_S), quota, scope.format("Read")))
        if limits.is_write(method):
            writes = limits.IDENTITY_WRITES_PER_150S
            out.append(Draw("identity-writes", "identity-writes", 1, _per_s(writes, limits.IDENTITY_WRITE_WINDOW_S),
                            writes, scope.format("Write")))
    elif service == limits.TEAMS:
        get = method.upper() == "GET"
        rate = limits.TEAMS_OTHER_GET_PER_S if get else limits.TEAMS_OTHER_PER_S
        name = "teams-get" if get else "teams-other"
        out.append(Draw(name, name, 1, rate, rate * invented.BURST_S))
    elif service == limits.OUTLOOK:
        per = limits.OUTLOOK_REQUESTS_PER_10MIN
        out.append(Draw("outlook:" + limits.mailbox_of(path), "outlook", 1, _per_s(per, 600), per))
    elif service == limits.REPORTS:
        per = limits.REPORTS_REQUESTS_PER_10S
        out.append(Draw("reports", "reports", 1, _per_s(per, 10), per))
    return out


class ServiceThrottle:
    """The documented preset's buckets and in-flight mailbox counts, with what each family admitted
    (requests and units, the figures a benchmark's lower bound is computed from) and refused.
    Not locked: the FaultInjector calls it under its own lock."""

    def __init__(self, tenant: str, tenant_users: int) -> None:
        self.tenant, self.tenant_users = tenant, tenant_users
        self.buckets: dict[tuple[str, str], TokenBucket] = {}
        self.in_flight: Counter[tuple[str, str]] = Counter()
        self.admitted: Counter[str] = Counter()
        self.units: dict[str, float] = {}
        self.refused: Counter[str] = Counter()

    def admit(self, prefix: str, method: str, path: str, query: Mapping[str, str], app: str) -> tuple[
            Refusal | None, dict[str, str]]:
        """(None, headers for the answer) when admitted; (the 429's headers, {}) when refused."""
        wanted = draws(prefix, method, path, query, app, self.tenant, self.tenant_users)
        now = time.monotonic()
        waits = [(self._bucket(app, d).wait(d.cost, now), d) for d in wanted]
        wait, short = max(waits, key=lambda w: w[0], default=(0.0, None))
        if short is not None and wait > 0:
            self.refused[short.family] += 1
            return Refusal(_refusal_headers(wait, short)), {}
        extra: dict[str, str] = {}
        for d in wanted:
            self._bucket(app, d).take(d.cost)
            self.admitted[d.family] += 1
            self.units[d.family] = self.units.get(d.family, 0.0) + d.cost
            if d.family == "identity":
                extra[limits.RESOURCE_UNIT_HEADER] = str(int(d.cost))
        return None, extra

    def enter_mailbox(self, app: str, path: str) -> bool:
        """Takes one of the mailbox's concurrent slots; False when all are in use (answer 429)."""
        key = (app, limits.mailbox_of(path))
        if self.in_flight[key] >= limits.OUTLOOK_CONCURRENT_PER_MAILBOX:
            self.refused["outlook-concurrency"] += 1
            return False
        self.in_flight[key] += 1
        return True

    def leave_mailbox(self, app: str, path: str) -> None:
        key = (app, limits.mailbox_of(path))
        self.in_flight[key] = max(0, self.in_flight[key] - 1)

    def _bucket(self, app: str, d: Draw) -> TokenBucket:
        bucket = self.buckets.get((app, d.key))
        if bucket is None:
            bucket = self.buckets[(app, d.key)] = TokenBucket(d.rate, d.capacity)
        return bucket

    def stats(self) -> dict[str, dict[str, float]]:
        families = sorted(set(self.admitted) | set(self.refused))
        return {f: {"requests": self.admitted[f], "units": self.units.get(f, 0.0), "throttled": self.refused[f]}
                for f in families}

    def reset_stats(self) -> None:
        self.admitted.clear()
        self.units.clear()
        self.refused.clear()


def _refusal_headers(wait: float, short: Draw) -> dict[str, str]:
    headers = {"Retry-After": retry_after_text(wait)}
    if short.scope:
        headers[limits.SCOPE_HEADER] = short.scope
        headers[limits.INFORMATION_HEADER] = "ResourceUnitLimitExceeded"
    return headers


def retry_after_text(wait: float) -> str:
    """Seconds rounded up to the millisecond, as the documented sample writes it (`2.128`)."""
    return f"{max(math.ceil(wait * 1000), 1) / 1000:.3f}"


def is_mailbox_request(prefix: str, path: str) -> bool:
    return prefix in GRAPH_PREFIXES and limits.graph_service(path) == limits.OUTLOOK


def throttled_body(date: str, request_id: str) -> dict[str, object]:
    """The body of the documented sample 429."""
    return {
        "error": {
            "code": limits.THROTTLED_CODE,
            "message": limits.THROTTLED_MESSAGE,
            "innerError": {"code": "429", "date": date, "message": limits.THROTTLED_INNER_MESSAGE,
                           "request-id": request_id, "client-request-id": request_id, "status": "429"},
        }
    }
