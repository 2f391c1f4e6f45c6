"""Throttling as the doctor's own few requests saw it: 429s, Retry-After, rate-limit headers.

No load is generated to provoke it; a tenant that never throttled the doctor says so (skipped)."""

from __future__ import annotations

from typing import Any

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, skipped
from teams_sip.service.doctor.port import DoctorPort

_RATE_HEADERS = ("ratelimit", "rate-limit", "throttl", "retry-after", "resource-unit")


def probe_throttling(port: DoctorPort) -> Finding:
    name = "throttling.headers"
    assumption = "a throttled answer (429) carries Retry-After, which teams-sip obeys"
    seen = list(port.exchanges())
    throttled = [e for e in seen if e.status == 429]
    headers = sorted({h for e in seen for h in e.header_names if any(k in h for k in _RATE_HEADERS)})
    evidence: dict[str, Any] = {"answers": len(seen), "throttled": len(throttled), "rateLimitHeaders": headers,
                "retryAfterSeconds": sorted({e.retry_after for e in throttled if e.retry_after})}
    if not throttled:
        return skipped(name, assumption, f"none of {len(seen)} answers was throttled (no load is generated)",
                       **evidence)
    bare = sum(1 for e in throttled if not e.retry_after)
    if bare:
        return contradicted(name, assumption, "no-retry-after", f"{bare} of {len(throttled)} 429s had no Retry-After",
                            "nothing to do: teams-sip then backs off exponentially", **evidence)
    return confirmed(name, assumption, "retry-after", **evidence)
