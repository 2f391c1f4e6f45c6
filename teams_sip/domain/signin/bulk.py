"""Bulk sign-in batching rules for common-area accounts ("Configure SIP Gateway"; docs/microsoft.md).

Limits: at most 100 devices per batch, at most 3 batches in flight per region, and a device can
only be bulk-signed-in within 72 hours of onboarding (168 hours after a sign-out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from teams_sip.domain.sites import Region

MAX_DEVICES_PER_BATCH = 100
MAX_BATCHES_IN_FLIGHT_PER_REGION = 3
WINDOW_AFTER_ONBOARDING = timedelta(hours=72)
WINDOW_AFTER_SIGN_OUT = timedelta(hours=168)


@dataclass(frozen=True)
class BulkCandidate:
    """A common-area device that activated and waits for sign-in."""

    hardware_id: str  # 12 upper-case hex digits
    username: str  # the common-area account's UPN
    region: Region
    onboarded_at: datetime
    signed_out_at: datetime | None = None


@dataclass(frozen=True)
class BulkItem:
    hardware_id: str
    username: str

    @property
    def dashed(self) -> str:
        return "-".join(self.hardware_id[i : i + 2] for i in range(0, 12, 2))


@dataclass(frozen=True)
class BulkBatch:
    region: Region
    items: tuple[BulkItem, ...]


@dataclass(frozen=True)
class BatchPlan:
    batches: tuple[BulkBatch, ...]
    expired: tuple[BulkCandidate, ...]  # outside the window: need a new onboarding
    deferred: tuple[BulkCandidate, ...]  # inside the window but no free batch slot in the region now


def deadline(candidate: BulkCandidate) -> datetime:
    """The last moment a bulk sign-in can still succeed for this device."""
    if candidate.signed_out_at is not None and candidate.signed_out_at >= candidate.onboarded_at:
        return candidate.signed_out_at + WINDOW_AFTER_SIGN_OUT
    return candidate.onboarded_at + WINDOW_AFTER_ONBOARDING


def plan_batches(
    candidates: Sequence[BulkCandidate], in_flight: Mapping[Region, int], now: datetime
) -> BatchPlan:
    """Group candidates per region into batches, oldest deadline first, within the region's free slots.

    A username or hardware id appears at most once across the planned batches (the service refuses
    duplicates rather than letting the gateway answer "Duplicate devices found").
    """
    expired: list[BulkCandidate] = []
    per_region: dict[Region, list[BulkCandidate]] = defaultdict(list)
    seen: set[str] = set()
    for candidate in sorted(candidates, key=lambda c: (deadline(c), c.hardware_id)):
        if candidate.hardware_id in seen:
            continue
        seen.add(candidate.hardware_id)
        if now > deadline(candidate):
            expired.append(candidate)
        else:
            per_region[candidate.region].append(candidate)
    batches: list[BulkBatch] = []
    deferred: list[BulkCandidate] = []
    for region in sorted(per_region):
        free = max(0, MAX_BATCHES_IN_FLIGHT_PER_REGION - in_flight.get(region, 0))
        waiting = per_region[region]
        capacity = free * MAX_DEVICES_PER_BATCH
        chosen, deferred_here = waiting[:capacity], waiting[capacity:]
        deferred.extend(deferred_here)
        for start in range(0, len(chosen), MAX_DEVICES_PER_BATCH):
            chunk = chosen[start : start + MAX_DEVICES_PER_BATCH]
            batches.append(BulkBatch(region, tuple(BulkItem(c.hardware_id, c.username) for c in chunk)))
    return BatchPlan(tuple(batches), tuple(expired), tuple(deferred))
