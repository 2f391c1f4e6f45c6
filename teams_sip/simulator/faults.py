"""Realism knobs (latency, throttling, 5xx, resets, slow answers) and the statistics the
simulator keeps. Random choices come from one seeded generator so a run can be repeated."""

from __future__ import annotations

import math
import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from teams_sip.errors import InputError
from teams_sip.simulator.throttling import DOCUMENTED, FLAT, PRESETS, Refusal, ServiceThrottle, TokenBucket


@dataclass(frozen=True)
class FaultSettings:
    """All off by default. Rates are probabilities per request (0..1)."""

    latency_ms: float = 0.0
    rate_limit_per_s: float | None = None  # token bucket per app; None = unlimited
    burst: float | None = None  # bucket size; defaults to one second of budget
    throttled: float = 0.0  # probability of a 429 (Retry-After 1) within budget: a busy service
    error_503: float = 0.0
    error_504: float = 0.0
    resets: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 30.0
    throttling: str = FLAT  # "flat": one bucket per app (rate_limit_per_s); "documented": per service

    def updated(self, changes: dict[str, Any]) -> FaultSettings:
        """A copy with `changes` applied; unknown names or bad values are refused whole."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InputError(f"unknown fault setting(s) {unknown}; known: {sorted(known)}")
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "throttling":
                if value not in PRESETS:
                    raise InputError(f"fault setting throttling must be one of {list(PRESETS)}, got {value!r}")
                clean[name] = value
                continue
            if value is None and name in ("rate_limit_per_s", "burst"):
                clean[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
                raise InputError(f"fault setting {name} must be a number >= 0, got {value!r}")
            if name in ("throttled", "error_503", "error_504", "resets", "slow") and value > 1:
                raise InputError(f"fault setting {name} is a probability between 0 and 1, got {value!r}")
            if name == "rate_limit_per_s" and value == 0:
                raise InputError("rate_limit_per_s must be above 0 (use null for unlimited)")
            clean[name] = float(value)
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Holds the settings, the buckets and the counters; thread-safe."""

    def __init__(self, settings: FaultSettings, seed: int, *, tenant: str = "", tenant_users: int = 0) -> None:
        self._lock = threading.Lock()
        self._settings = settings
        self._rng = random.Random(seed)
        self._buckets: dict[str, TokenBucket] = {}
        self._tenant, self._tenant_users = tenant, tenant_users
        self._services = ServiceThrottle(tenant, tenant_users)
        self.requests: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()  # 429s by endpoint: requests minus these were answered
        self.statuses: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.throttled = 0
        self.inner_batch_requests = 0
        self.token_requests = 0

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def configure(self, changes: dict[str, Any]) -> FaultSettings:
        with self._lock:
            self._settings = self._settings.updated(changes)
            self._buckets.clear()
            self._services = ServiceThrottle(self._tenant, self._tenant_users)  # every bucket full again
            return self._settings

    def draw(self) -> str | None:
        """Which outer-request fault to inject now: 'reset', 'slow', '503', '504' or None."""
        with self._lock:
            s = self._settings
            for name, rate in (("reset", s.resets), ("slow", s.slow), ("503", s.error_503), ("504", s.error_504)):
                if rate and self._rng.random() < rate:
                    self.faults[name] += 1
                    return name
            return None

    def draw_inner(self) -> str | None:
        """Faults inside $batch: only 503/504 (a reset or slow answer hits the whole batch)."""
        with self._lock:
            s = self._settings
            for name, rate in (("503", s.error_503), ("504", s.error_504)):
                if rate and self._rng.random() < rate:
                    self.faults[name] += 1
                    return name
            return None

    def throttle(self, app_id: str, prefix: str = "/v1.0", method: str = "GET", path: str = "/",
                 query: dict[str, str] | None = None) -> tuple[Refusal | None, dict[str, str]]:
        """(None, headers for the answer) within budget, else (the 429's headers, {}): the flat
        preset's one bucket per app, or the documented per-service buckets."""
        with self._lock:
            s = self._settings
            if s.throttled and self._rng.random() < s.throttled:
                self.throttled += 1
                return Refusal({"Retry-After": "1"}), {}
            if s.throttling == DOCUMENTED:
                refusal, extra = self._services.admit(prefix, method, path, query or {}, app_id)
                self.throttled += refusal is not None
                return refusal, extra
            if s.rate_limit_per_s is None:
                return None, {}
            bucket = self._buckets.get(app_id)
            if bucket is None:
                bucket = TokenBucket(s.rate_limit_per_s, s.burst if s.burst is not None else s.rate_limit_per_s)
                self._buckets[app_id] = bucket
            wait = bucket.take_now()
            if wait == 0.0:
                return None, {}
            self.throttled += 1
            return Refusal({"Retry-After": str(max(1, math.ceil(wait)))}), {}

    def enter_mailbox(self, app_id: str, path: str) -> bool:
        """Documented preset: one of the mailbox's concurrent slots (False: all taken, answer 429)."""
        with self._lock:
            if self._settings.throttling != DOCUMENTED:
                return True
            entered = self._services.enter_mailbox(app_id, path)
            self.throttled += not entered
            return entered

    def leave_mailbox(self, app_id: str, path: str) -> None:
        with self._lock:
            self._services.leave_mailbox(app_id, path)

    def count(self, endpoint: str, status: int, inner: bool = False) -> None:
        with self._lock:
            self.requests[endpoint] += 1
            self.statuses[str(status)] += 1
            if status == 429:
                self.refused[endpoint] += 1
            if inner:
                self.inner_batch_requests += 1

    def count_token(self) -> None:
        with self._lock:
            self.token_requests += 1

    def shuffle(self, items: list[Any]) -> None:
        """Orders $batch answers as Graph may: not necessarily as asked (seeded)."""
        with self._lock:
            self._rng.shuffle(items)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(sorted(self.requests.items())),
                "totalRequests": sum(self.requests.values()),
                "statuses": dict(sorted(self.statuses.items())),
                "throttled": self.throttled,
                "faults": dict(sorted(self.faults.items())),
                "innerBatchRequests": self.inner_batch_requests,
                "tokenRequests": self.token_requests,
                "services": self._services.stats(),
                "throttledByEndpoint": dict(sorted(self.refused.items())),
            }

    def reset_stats(self) -> None:
        with self._lock:
            self.requests.clear()
            self.refused.clear()
            self.statuses.clear()
            self.faults.clear()
            self.throttled = 0
            self.inner_batch_requests = 0
            self.token_requests = 0
            self._services.reset_stats()
