"""The last configuration snapshot and the snapshot jobs this service created, in the state store.

Passes run every 15 minutes but a snapshot job is a scarce thing (a tenant keeps a dozen, and
extracts a limited number of resources a month), so the parsed snapshot is kept with its time and
every pass reads it from here; only `SnapshotPolicies` decides when a new job is worth it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from teams_sip.domain.eligibility.policies import CallingPolicySettings
from teams_sip.domain.eligibility.tenant_config import (
    ConditionalAccessPolicy,
    IpPhonePolicySettings,
    TenantConfiguration,
    TrustedIpRange,
)
from teams_sip.service.ports.store import StateStore

SNAPSHOT_TABLE = "configsnapshots"
PARTITION = "tenant"
CURRENT = "current"
JOB_PREFIX = "job-"


def config_to_json(config: TenantConfiguration) -> dict[str, Any]:
    def rows(items: tuple[Any, ...] | None) -> list[dict[str, Any]] | None:
        return None if items is None else [asdict(i) for i in items]

    return {
        "takenAt": config.taken_at.isoformat(),
        "callingPolicies": rows(config.calling_policies),
        "ipPhonePolicies": rows(config.ip_phone_policies),
        "trustedIps": rows(config.trusted_ips),
        "conditionalAccess": rows(config.conditional_access),
        "resourceCount": config.resource_count,
    }


def config_from_json(data: dict[str, Any]) -> TenantConfiguration:
    def rows(key: str, make: Any) -> Any:
        items = data.get(key)
        return None if items is None else tuple(make(**i) for i in items)

    def ca(**kw: Any) -> ConditionalAccessPolicy:
        tuples = {k: tuple(v) for k, v in kw.items() if isinstance(v, list)}
        return ConditionalAccessPolicy(**{**kw, **tuples})

    return TenantConfiguration(
        taken_at=datetime.fromisoformat(data["takenAt"]),
        calling_policies=rows("callingPolicies", CallingPolicySettings),
        ip_phone_policies=rows("ipPhonePolicies", IpPhonePolicySettings),
        trusted_ips=rows("trustedIps", TrustedIpRange),
        conditional_access=rows("conditionalAccess", ca),
        resource_count=int(data.get("resourceCount", 0)),
    )


@dataclass(frozen=True)
class CacheState:
    config: TenantConfiguration | None = None
    running_job: str | None = None  # a job created and not yet read
    last_error: str = ""
    attempted_at: datetime | None = None  # the last time a job was asked for


class SnapshotCache:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def load(self) -> CacheState:
        entity = self._store.get(SNAPSHOT_TABLE, PARTITION, CURRENT)
        if entity is None:
            return CacheState()
        data = entity.data
        try:
            config = config_from_json(data["config"]) if data.get("config") else None
        except (KeyError, TypeError, ValueError):
            config = None  # an unreadable cache is no cache: the next refresh replaces it
        attempted = data.get("attemptedAt")
        return CacheState(config, data.get("runningJob") or None, str(data.get("lastError") or ""),
                          datetime.fromisoformat(attempted) if attempted else None)

    def save(self, state: CacheState) -> None:
        body = {
            "config": None if state.config is None else config_to_json(state.config),
            "runningJob": state.running_job or "",
            "lastError": state.last_error,
            "attemptedAt": state.attempted_at.isoformat() if state.attempted_at else "",
        }
        self._store.upsert(SNAPSHOT_TABLE, PARTITION, CURRENT, body)

    def remember_job(self, job_id: str, created_at: datetime, resources: int) -> None:
        self._store.upsert(SNAPSHOT_TABLE, PARTITION, JOB_PREFIX + job_id,
                           {"createdAt": created_at.isoformat(), "resources": resources})

    def set_job_resources(self, job_id: str, resources: int) -> None:
        entity = self._store.get(SNAPSHOT_TABLE, PARTITION, JOB_PREFIX + job_id)
        if entity is not None:
            self._store.upsert(SNAPSHOT_TABLE, PARTITION, JOB_PREFIX + job_id, {**entity.data, "resources": resources})

    def resources_since(self, since: datetime) -> int:
        """Resource instances our jobs extracted since `since` (the monthly quota we spend)."""
        total = 0
        for entity in self._store.query(SNAPSHOT_TABLE, PARTITION):
            if entity.row_key.startswith(JOB_PREFIX) and datetime.fromisoformat(entity.data["createdAt"]) >= since:
                total += int(entity.data.get("resources", 0))
        return total
