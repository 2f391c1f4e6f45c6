"""The port to tenant configuration management snapshots (Graph v1.0, issue 19).

A snapshot job is asynchronous: created, then polled until it succeeds, partly succeeds or fails;
its file is then read from `resource_location`. The adapter turns every refusal into one of the
errors below, so the service can name the missing prerequisite and fall back to the next source.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.errors import TeamsSipError

DONE_STATES = frozenset({"succeeded", "partiallySuccessful", "failed"})
READABLE_STATES = frozenset({"succeeded", "partiallySuccessful"})

CALLING_POLICY = "microsoft.teams.callingpolicy"
IP_PHONE_POLICY = "microsoft.teams.ipphonepolicy"
TRUSTED_IP = "microsoft.teams.tenanttrustedipaddress"
CONDITIONAL_ACCESS = "microsoft.entra.conditionalaccesspolicy"
RESOURCES = (CALLING_POLICY, IP_PHONE_POLICY, TRUSTED_IP, CONDITIONAL_ACCESS)
"""What one job covers: everything a pre-flight pass judges."""


class SnapshotError(TeamsSipError):
    """The snapshot service could not give settings; the message says why and what to do."""


class SnapshotPrerequisiteError(SnapshotError):
    """A permission or the service principal (or its role) is missing: not worth retrying today."""


class SnapshotLimitError(SnapshotError):
    """The tenant's job or monthly resource limit would be exceeded."""


@dataclass(frozen=True)
class SnapshotJob:
    id: str
    display_name: str
    status: str  # notStarted | running | succeeded | partiallySuccessful | failed
    created_at: datetime | None = None
    completed_at: datetime | None = None
    resource_location: str = ""
    error_details: tuple[str, ...] = ()


class ConfigurationSnapshots(Protocol):
    def create(self, display_name: str, description: str, resources: Sequence[str]) -> SnapshotJob: ...

    def get(self, job_id: str) -> SnapshotJob: ...

    def list_jobs(self) -> list[SnapshotJob]: ...

    def delete(self, job_id: str) -> None:
        """Deletes the job (and its snapshot); a job already gone is not an error."""
        ...

    def read(self, job: SnapshotJob, taken_at: datetime) -> TenantConfiguration:
        """The snapshot file of a finished job, parsed; refuses a layout it does not know."""
        ...
