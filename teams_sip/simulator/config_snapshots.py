"""Simulated tenant configuration management: snapshot jobs that run in simulated time, the limits
community tooling reports, and a snapshot file built from the scenario's policies (issue 19)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from teams_sip.simulator import invented
from teams_sip.simulator.api_types import ApiError
from teams_sip.simulator.scenario import Scenario, SnapshotSwitches
from teams_sip.unverified import SNAPSHOT_JOBS_KEPT, SNAPSHOT_RESOURCES_PER_MONTH, SNAPSHOT_RETENTION_DAYS

KNOWN_RESOURCES = frozenset({
    "microsoft.teams.callingpolicy", "microsoft.teams.ipphonepolicy", "microsoft.teams.tenanttrustedipaddress",
    "microsoft.entra.conditionalaccesspolicy", "microsoft.entra.namedlocationpolicy",
})
ENTRA = "microsoft.entra."


@dataclass
class SimJob:
    id: str
    display_name: str
    description: str
    resources: tuple[str, ...]
    created_at: datetime
    done_at: datetime
    outcome: str
    file: list[dict[str, Any]] | dict[str, Any] | None = None
    errors: tuple[str, ...] = ()

    def status(self, now: datetime) -> str:
        if now < self.created_at + invented.SNAPSHOT_NOT_STARTED_FOR:
            return "notStarted"
        return "running" if now < self.done_at else self.outcome


@dataclass
class SnapshotService:
    switches: SnapshotSwitches
    tenant_id: str
    jobs: dict[str, SimJob] = field(default_factory=dict)
    extracted: list[tuple[datetime, int]] = field(default_factory=list)
    created: int = 0  # every job ever created (tests count them)

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> SnapshotService:
        service = cls(scenario.snapshots, scenario.tenant_id)
        for n in range(scenario.snapshots.other_jobs):
            job = SimJob(str(uuid.uuid4()), f"Another tool {n}", "", ("microsoft.teams.callingpolicy",),
                         scenario.start, scenario.start, "succeeded")
            service.jobs[job.id] = job
        return service

    def expire(self, now: datetime) -> None:
        keep = timedelta(days=SNAPSHOT_RETENTION_DAYS)
        self.jobs = {k: j for k, j in self.jobs.items() if now - j.created_at < keep}

    def create(self, now: datetime, name: str, description: str, resources: tuple[str, ...]) -> SimJob:
        if self.switches.service_principal == "missing":
            raise ApiError(403, "Forbidden", invented.SNAPSHOT_SP_MISSING_MESSAGE)
        if len(self.jobs) >= SNAPSHOT_JOBS_KEPT:
            raise ApiError(400, "BadRequest", invented.SNAPSHOT_JOB_LIMIT_MESSAGE.format(limit=SNAPSHOT_JOBS_KEPT))
        month = sum(n for when, n in self.extracted if now - when < timedelta(days=30))
        if month >= SNAPSHOT_RESOURCES_PER_MONTH:
            raise ApiError(400, "BadRequest", invented.SNAPSHOT_QUOTA_MESSAGE)
        done = now + timedelta(minutes=self.switches.run_minutes)
        job = SimJob(str(uuid.uuid4()), name, description, resources, now, done, self._outcome())
        self.jobs[job.id] = job
        self.created += 1
        return job

    def _outcome(self) -> str:
        return "failed" if self.switches.service_principal == "no_role" else self.switches.outcome

    def job_json(self, job: SimJob, now: datetime, root: str) -> dict[str, Any]:
        status = job.status(now)
        done = status in ("succeeded", "partiallySuccessful", "failed")
        errors = list(self._errors(job)) if status in ("failed", "partiallySuccessful") else []
        return {
            "id": job.id,
            "displayName": job.display_name,
            "description": job.description,
            "tenantId": self.tenant_id,
            "status": status,
            "resources": list(job.resources),
            "createdDateTime": _iso(job.created_at),
            "completedDateTime": _iso(job.done_at) if done else "0001-01-01T00:00:00Z",
            "resourceLocation": f"{root}{invented.SNAPSHOT_FILE_PATH}/{job.id}" if status in (
                "succeeded", "partiallySuccessful") else "",
            "errorDetails": errors,
            "createdBy": {"application": {"id": "00000000-0000-0000-0000-000000000000", "displayName": "teams-sip"}},
        }

    def _errors(self, job: SimJob) -> tuple[str, ...]:
        if self.switches.service_principal == "no_role":
            return (invented.SNAPSHOT_NO_ROLE_MESSAGE,)
        if job.outcome == "partiallySuccessful":
            return tuple(f"{r}: {invented.SNAPSHOT_PARTIAL_MESSAGE}" for r in job.resources if r.startswith(ENTRA))
        return (invented.SNAPSHOT_FAILED_MESSAGE,) if job.outcome == "failed" else ()

    def served_resources(self, job: SimJob) -> tuple[str, ...]:
        if job.outcome == "partiallySuccessful":
            return tuple(r for r in job.resources if not r.startswith(ENTRA))
        return job.resources

    def count_extracted(self, job: SimJob, now: datetime, count: int) -> None:
        if job.file is None:
            self.extracted.append((now, count))


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


_SWITCH_KEYS = {"layout": "layout", "outcome": "outcome", "runMinutes": "run_minutes",
                "servicePrincipal": "service_principal", "otherJobs": "other_jobs"}


def switches_from_dict(raw: Any) -> SnapshotSwitches:
    """The scenario file's "configSnapshots" object (docs/simulator.md); refuses unknown keys and values."""
    from teams_sip.simulator.scenario import ScenarioError

    if not isinstance(raw, dict):
        raise ScenarioError("configSnapshots must be a JSON object")
    known = {*_SWITCH_KEYS, "trustedIps", "conditionalAccess", "ipPhoneSignInModes"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ScenarioError(f"configSnapshots: unknown keys {unknown}; known: {sorted(known)}")
    try:
        values: dict[str, Any] = {field_name: raw[key] for key, field_name in _SWITCH_KEYS.items() if key in raw}
        if "trustedIps" in raw:
            values["trusted_ips"] = tuple((str(t["identity"]), int(t["maskBits"])) for t in raw["trustedIps"])
        if "conditionalAccess" in raw:
            values["conditional_access"] = tuple(dict(p) for p in raw["conditionalAccess"])
        if "ipPhoneSignInModes" in raw:
            values["ip_phone_sign_in_modes"] = tuple((str(k), str(v)) for k, v in raw["ipPhoneSignInModes"].items())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ScenarioError(f"configSnapshots: {exc!r}") from None
    switches = SnapshotSwitches(**values)
    checks = {"layout": ("resources", "items"), "outcome": ("succeeded", "partiallySuccessful", "failed"),
              "service_principal": ("present", "missing", "no_role")}
    for name, allowed in checks.items():
        if getattr(switches, name) not in allowed:
            raise ScenarioError(f"configSnapshots: {name} must be one of {allowed}")
    return switches


def switches_to_dict(s: SnapshotSwitches) -> dict[str, Any]:
    out: dict[str, Any] = {key: getattr(s, name) for key, name in _SWITCH_KEYS.items()}
    out["trustedIps"] = [{"identity": ip, "maskBits": bits} for ip, bits in s.trusted_ips]
    out["conditionalAccess"] = [dict(p) for p in s.conditional_access]
    out["ipPhoneSignInModes"] = dict(s.ip_phone_sign_in_modes)
    return out
