"""Configuration snapshot jobs in memory: each job is done the moment it is created, so a pass
judges from the snapshot at once (the simulator, tests/config_snapshots, covers the job's life)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.service.ports.config_snapshots import SnapshotError, SnapshotJob


class MemorySnapshots:
    def __init__(self, config: TenantConfiguration, now: Callable[[], datetime]) -> None:
        self.config, self.now = config, now
        self.jobs: dict[str, SnapshotJob] = {}
        self.created = 0

    def create(self, display_name: str, description: str, resources: Sequence[str]) -> SnapshotJob:
        self.created += 1
        job = SnapshotJob(f"job-{self.created}", display_name, "succeeded", self.now(), self.now(), "memory://file")
        self.jobs[job.id] = job
        return job

    def get(self, job_id: str) -> SnapshotJob:
        if job_id not in self.jobs:
            raise SnapshotError(f"no snapshot job {job_id}")
        return self.jobs[job_id]

    def list_jobs(self) -> list[SnapshotJob]:
        return list(self.jobs.values())

    def delete(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)

    def read(self, job: SnapshotJob, taken_at: datetime) -> TenantConfiguration:
        return replace(self.config, taken_at=taken_at)
