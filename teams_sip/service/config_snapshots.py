"""Tenant settings from configuration snapshots, cached, with at most one job a day (issue 19).

Each call to `current` moves the job lifecycle one step and never waits: a job created by this pass
is read by a later one, and meanwhile the pass judges with the cached snapshot and says its age.
Jobs this service created are deleted as soon as they are read (and before a new one when the
tenant's job limit is near), so the tenant's dozen job slots stay free for everybody else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from teams_sip.domain.clock import Clock
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration, describe_age, refresh_due
from teams_sip.service.ports.config_snapshots import (
    DONE_STATES,
    READABLE_STATES,
    RESOURCES,
    ConfigurationSnapshots,
    SnapshotError,
    SnapshotJob,
    SnapshotLimitError,
    SnapshotPrerequisiteError,
)
from teams_sip.service.snapshot_cache import CacheState, SnapshotCache
from teams_sip.unverified import (
    SNAPSHOT_DISPLAY_NAME_PREFIX,
    SNAPSHOT_JOBS_KEPT,
    SNAPSHOT_RESOURCES_PER_MONTH,
    SNAPSHOT_RETENTION_DAYS,
)

MAX_AGE = timedelta(days=1)
STUCK_AFTER = timedelta(hours=6)  # a job still running this long is abandoned and deleted
MONTH = timedelta(days=30)
RETRY_AFTER = timedelta(hours=6)


@dataclass(frozen=True)
class SnapshotView:
    """What a pass judges with: the snapshot (None when there is none yet) and a line for the report."""

    config: TenantConfiguration | None
    note: str

    def label(self, now: datetime) -> str:
        if self.config is None:
            return self.note
        return f"configuration snapshot taken {describe_age(self.config.age(now))} ago" + (
            f" ({self.note})" if self.note else ""
        )


def display_name(now: datetime) -> str:
    """Letters, digits and spaces only (the service refuses anything else)."""
    name = f"{SNAPSHOT_DISPLAY_NAME_PREFIX} {now:%Y%m%d %H%M%S}"
    return re.sub(r"[^A-Za-z0-9 ]", "", name)[:32]


class SnapshotPolicies:
    def __init__(self, snapshots: ConfigurationSnapshots, cache: SnapshotCache, clock: Clock) -> None:
        self._snapshots = snapshots
        self._cache = cache
        self._clock = clock

    def current(self, *, refresh: bool = False, policy_assigned_at: datetime | None = None) -> SnapshotView:
        """The snapshot to judge with now. Raises SnapshotError only when there is nothing cached to
        fall back on; otherwise a problem becomes the view's note."""
        state = self._cache.load()
        note = ""
        try:
            if state.running_job:
                state, note = self._advance(state)
            taken = state.config.taken_at if state.config is not None else None
            if not state.running_job and refresh_due(
                taken, self._clock.now(), MAX_AGE, forced=refresh, policy_assigned_at=policy_assigned_at
            ) and (refresh or not self._failed_lately(state)):
                state = replace(state, attempted_at=self._clock.now())  # kept even when the start fails
                state, note = self._start(state)
        except SnapshotError as exc:
            state = replace(state, last_error=str(exc))
            self._cache.save(state)
            if state.config is None:
                raise
            return SnapshotView(state.config, f"not refreshed: {exc}")
        self._cache.save(state)
        if state.config is None:
            raise SnapshotError(note or state.last_error or "no configuration snapshot yet")
        return SnapshotView(state.config, note)

    def wait(self, sleep: Callable[[float], None], *, refresh: bool = False, seconds: float = 300,
             every: float = 15) -> SnapshotView:
        """For one-shot commands (`teams-sip check`): polls until the snapshot is read or `seconds`
        pass; `sleep` waits on the command's clock. Raises SnapshotError like `current`."""
        waited = 0.0
        while True:
            try:
                view = self.current(refresh=refresh and waited == 0)
            except SnapshotError:
                if waited >= seconds or not self._cache.load().running_job:
                    raise
            else:
                if not self._cache.load().running_job or waited >= seconds:
                    return view
            sleep(every)
            waited += every

    def _failed_lately(self, state: CacheState) -> bool:
        """A failed attempt is retried after RETRY_AFTER (or on demand), not by every 15-minute pass."""
        return bool(state.last_error) and state.attempted_at is not None and (
            self._clock.now() - state.attempted_at < RETRY_AFTER
        )

    def _advance(self, state: CacheState) -> tuple[CacheState, str]:
        assert state.running_job is not None
        job = self._snapshots.get(state.running_job)
        now = self._clock.now()
        if job.status not in DONE_STATES:
            started = job.created_at or now
            if now - started >= STUCK_AFTER:
                self._snapshots.delete(job.id)
                return replace(state, running_job=None, last_error="a snapshot job never finished"), (
                    "the snapshot job never finished; it was deleted"
                )
            return state, "a snapshot job is running; judged with the cached snapshot"
        try:
            if job.status not in READABLE_STATES:
                details = "; ".join(job.error_details) or "no details given"
                raise SnapshotError(
                    f"the snapshot job failed ({details}); if it names a role, give the Tenant Configuration "
                    "Management service principal Global Reader: scripts/grant-graph-permissions.sh"
                )
            config = self._snapshots.read(job, job.completed_at or now)
            self._cache.set_job_resources(job.id, config.resource_count)
        except SnapshotError as exc:
            return replace(state, running_job=None, last_error=str(exc)), f"not refreshed: {exc}"
        finally:
            self._snapshots.delete(job.id)
        note = "partly succeeded: some resources missing" if job.status == "partiallySuccessful" else ""
        return CacheState(config, None, "", state.attempted_at), note

    def _start(self, state: CacheState) -> tuple[CacheState, str]:
        now = self._clock.now()
        spent = self._cache.resources_since(now - MONTH)
        if spent >= SNAPSHOT_RESOURCES_PER_MONTH:
            raise SnapshotLimitError(
                f"this service extracted {spent} snapshot resources in 30 days; the tenant allows about "
                f"{SNAPSHOT_RESOURCES_PER_MONTH} a month, so no new snapshot is taken until some expire"
            )
        self._make_room(now)
        job = self._snapshots.create(display_name(now), "Teams SIP Gateway pre-flight settings", RESOURCES)
        self._cache.remember_job(job.id, now, 0)
        state = replace(state, running_job=job.id, last_error="")
        if job.status in DONE_STATES:
            return self._advance(state)
        return state, "a snapshot job was started; judged with the cached snapshot"

    def _make_room(self, now: datetime) -> None:
        """Deletes our own finished or expired jobs; refuses when other jobs fill the tenant's slots."""
        jobs = self._snapshots.list_jobs()
        ours = sorted((j for j in jobs if _ours(j)), key=lambda j: j.created_at or now)
        for job in ours:
            expired = job.created_at is not None and now - job.created_at > timedelta(days=SNAPSHOT_RETENTION_DAYS)
            if job.status in DONE_STATES or expired:
                self._snapshots.delete(job.id)
                jobs.remove(job)
        if len(jobs) >= SNAPSHOT_JOBS_KEPT:
            raise SnapshotLimitError(
                f"the tenant already keeps {len(jobs)} snapshot jobs (at most {SNAPSHOT_JOBS_KEPT}); delete "
                "old ones: DELETE /admin/configurationManagement/configurationSnapshotJobs/{id}"
            )


def _ours(job: SnapshotJob) -> bool:
    return job.display_name.lower().startswith(SNAPSHOT_DISPLAY_NAME_PREFIX)


__all__ = ["SnapshotPolicies", "SnapshotPrerequisiteError", "SnapshotView", "display_name"]
