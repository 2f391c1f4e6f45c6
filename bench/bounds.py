"""An honest lower bound for a benchmark run, shared by every benchmark (issue 21).

No client can finish a timed stretch of work (a pass) sooner than the larger of
(a) the time the documented budgets need for the requests it had answered: for each bucket, the
    units beyond its starting burst at its refill rate (a bucket starts a stretch at most full, so
    assuming it full keeps this a lower bound); only answered requests count, a 429 never raises it;
(b) the longest chain of requests that must follow one another (the pages of one listing: each
    page's link comes with the page before) times the smallest round trip measured on this machine.
A run made of several stretches with untimed gaps between them (buckets refill in the gaps) is bound
by the sum of its stretches' bounds. A run faster than its bound means the bound or the simulator
is wrong, so benchmarks fail on it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from teams_sip import throttling_limits as limits
from teams_sip.simulator import invented


@dataclass(frozen=True)
class BucketLimit:
    rate: float  # units per second
    capacity: float  # the starting burst


@dataclass(frozen=True)
class Bound:
    budget_s: float  # part (a)
    bucket: str  # the bucket that sets part (a)
    chain: int  # requests in the longest chain
    round_trip_s: float
    seconds: float  # the larger part

    @property
    def chain_s(self) -> float:
        return self.chain * self.round_trip_s

    def describe(self) -> str:
        return (f"{self.seconds:.2f} s = max(budgets {self.budget_s:.2f} s [{self.bucket or '-'}], "
                f"chain {self.chain} x {self.round_trip_s * 1000:.1f} ms = {self.chain_s:.2f} s)")


def documented_limits(tenant_users: int) -> dict[str, BucketLimit]:
    """The buckets the simulator's "documented" preset keeps, by the family its statistics name."""
    def per_s(rate: float) -> BucketLimit:
        return BucketLimit(rate, max(1.0, rate * invented.BURST_S))

    identity = limits.IDENTITY_UNITS_PER_10S[limits.tenant_size(tenant_users)]
    return {
        "global": BucketLimit(limits.GLOBAL_REQUESTS_PER_10S / 10, limits.GLOBAL_REQUESTS_PER_10S),
        "identity": BucketLimit(identity / limits.IDENTITY_WINDOW_S, identity),
        "identity-writes": BucketLimit(limits.IDENTITY_WRITES_PER_150S / limits.IDENTITY_WRITE_WINDOW_S,
                                       limits.IDENTITY_WRITES_PER_150S),
        "teams-get": per_s(limits.TEAMS_OTHER_GET_PER_S),
        "teams-other": per_s(limits.TEAMS_OTHER_PER_S),
        "reports": BucketLimit(limits.REPORTS_REQUESTS_PER_10S / 10, limits.REPORTS_REQUESTS_PER_10S),
        "devicemgmt": per_s(invented.DEVICE_MANAGEMENT_REQUESTS_PER_S),
        "policyadmin": per_s(invented.POLICY_ADMIN_REQUESTS_PER_S),
        # "outlook" is per mailbox (10,000 per 10 minutes each): never binding here, so not bound on.
    }


def budget_seconds(units: float, limit: BucketLimit) -> float:
    """Seconds a bucket starting full needs to let `units` through."""
    return max(0.0, (units - limit.capacity) / limit.rate)


def bound(units: Mapping[str, float], bucket_limits: Mapping[str, BucketLimit], chain: int,
          round_trip_s: float, other_chains: Sequence[tuple[int, float]] = ()) -> Bound:
    """One stretch's bound from the units answered per bucket family and its longest chain (of
    requests whose round trip is `round_trip_s`; `other_chains` are further (length, round trip)
    chains of other request kinds, the longest in time counts)."""
    parts = [(budget_seconds(u, bucket_limits[name]), name) for name, u in units.items() if name in bucket_limits]
    budget_s, bucket = max(parts, default=(0.0, ""))
    if budget_s == 0.0:
        bucket = ""
    chain, round_trip_s = max([(chain, round_trip_s), *other_chains], key=lambda c: c[0] * c[1])
    return Bound(budget_s, bucket, chain, round_trip_s, max(budget_s, chain * round_trip_s))


def total(bounds: Sequence[Bound]) -> float:
    return sum(b.seconds for b in bounds)


def answered_units(stats: Mapping[str, Any]) -> dict[str, float]:
    """Units the simulator admitted per bucket family (`sim.stats()["services"]`): answered only."""
    return {name: float(v["units"]) for name, v in (stats.get("services") or {}).items()}


def answered(stats: Mapping[str, Any], endpoint: str) -> int:
    """Requests to `endpoint` that were answered (not refused with 429)."""
    refused = (stats.get("throttledByEndpoint") or {}).get(endpoint, 0)
    return int(stats["requests"].get(endpoint, 0)) - int(refused)


def throttled_answers(stats: Mapping[str, Any]) -> int:
    return int(stats.get("throttled", 0))


def minus(after: Mapping[str, float], before: Mapping[str, float]) -> dict[str, float]:
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


def chain_of_pages(pages: int, chains: int) -> int:
    """The longest of `chains` page chains that together fetched `pages` pages."""
    return math.ceil(pages / chains) if pages and chains else 0


def measure_round_trip(probe: Callable[[], object], times: int = 7) -> float:
    """The smallest of a few sequential round trips (the smallest keeps the bound a lower bound)."""
    best = math.inf
    for _ in range(times):
        started = time.perf_counter()
        probe()
        best = min(best, time.perf_counter() - started)
    return best


def verdict(seconds: float, bound_s: float) -> str:
    return f"{seconds / bound_s:.2f}x of the bound" if bound_s > 0 else "no bound"
