"""The snapshot source against the simulated tenant: job lifecycle, cache, limits, prerequisites."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.service.config_snapshots import SnapshotPolicies
from teams_sip.service.ports.config_snapshots import SnapshotError, SnapshotLimitError, SnapshotPrerequisiteError
from teams_sip.service.snapshot_cache import SnapshotCache
from teams_sip.simulator.catalog import ALL_ROLES
from tests.config_snapshots.conftest import Start


def test_a_job_is_started_then_read_by_a_later_pass_and_deleted(start_stack: Start) -> None:
    stack = start_stack()
    with pytest.raises(SnapshotError, match="snapshot job was started"):
        stack.source.current()
    assert stack.jobs_created == 1 and stack.jobs_kept == 1
    stack.advance(1)
    with pytest.raises(SnapshotError, match="running"):
        stack.source.current()
    stack.advance(5)
    view = stack.source.current()
    assert view.config is not None and view.config.calling_policies is not None
    assert {p.name for p in view.config.calling_policies} >= {"Global"}
    assert view.config.conditional_access == ()
    assert stack.jobs_kept == 0  # read, then deleted
    assert "taken 3 minutes ago" in view.label(stack.sim.clock.now())


@pytest.mark.parametrize("layout", ["resources", "items"])
def test_both_snapshot_layouts_read_the_same_settings(start_stack: Start, layout: str) -> None:
    stack = start_stack(layout=layout, trusted_ips=(("203.0.113.0", 24),))
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    config = stack.source.current().config
    assert config is not None
    assert config.trusted_ips is not None and config.trusted_ips[0].identity == "203.0.113.0"
    names = {p.name: p for p in config.ip_phone_policies or ()}
    assert names["Tag:CommonAreaPhone"].sign_in_mode == "CommonAreaPhoneSignIn"
    assert names["Global"].sign_in_mode == "UserSignIn"


def test_a_day_of_passes_every_15_minutes_creates_at_most_one_job(start_stack: Start) -> None:
    stack = start_stack()
    judged = 0
    for _ in range(96):
        with contextlib.suppress(SnapshotError):
            judged += stack.source.current().config is not None
        stack.advance(15)
    assert stack.jobs_created == 1
    assert judged == 95


def test_a_stale_cache_judges_while_the_new_job_runs_and_says_its_age(start_stack: Start) -> None:
    stack = start_stack()
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    first = stack.source.current().config
    stack.advance(25 * 60)
    view = stack.source.current()
    assert view.config == first and stack.jobs_created == 2
    assert "25 hours ago" in view.label(stack.sim.clock.now()) and "job was started" in view.note
    stack.advance(10)
    assert stack.source.current().config != first


def test_refresh_on_demand_and_after_a_policy_assignment(start_stack: Start) -> None:
    stack = start_stack()
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    stack.source.current()
    stack.source.current(refresh=True)
    assert stack.jobs_created == 2
    stack.advance(10)
    stack.source.current()
    stack.advance(30)
    stack.source.current(policy_assigned_at=stack.sim.clock.now() - timedelta(minutes=1))
    assert stack.jobs_created == 3


def test_a_failed_job_is_named_and_not_retried_by_every_pass(start_stack: Start) -> None:
    stack = start_stack(outcome="failed")
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    with pytest.raises(SnapshotError, match="snapshot job failed"):
        stack.source.current()
    for _ in range(4):
        stack.advance(15)
        with pytest.raises(SnapshotError, match="failed"):
            stack.source.current()
    assert stack.jobs_created == 1 and stack.jobs_kept == 0


def test_a_partly_successful_job_gives_what_it_has(start_stack: Start) -> None:
    stack = start_stack(outcome="partiallySuccessful")
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    view = stack.source.current()
    assert view.config is not None and view.config.calling_policies and view.config.conditional_access is None
    assert "partly" in view.note


def test_the_job_limit_is_reached_by_other_tools(start_stack: Start) -> None:
    stack = start_stack(other_jobs=12)
    with pytest.raises(SnapshotLimitError, match="12 snapshot jobs"):
        stack.source.current()
    assert stack.jobs_created == 0


def test_our_own_leftover_jobs_are_deleted_to_make_room(start_stack: Start) -> None:
    stack = start_stack(other_jobs=11)
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)  # our job finishes, but this state is lost (a new store)
    fresh = SnapshotPolicies(stack.client, SnapshotCache(MemoryStateStore()), stack.sim.clock)
    with pytest.raises(SnapshotError, match="job was started"):
        fresh.current()
    assert stack.jobs_created == 2 and stack.jobs_kept == 12


def test_missing_permission_is_named_with_the_command(start_stack: Start) -> None:
    roles = tuple(r for r in ALL_ROLES if r != "ConfigurationMonitoring.ReadWrite.All")
    stack = start_stack(roles=roles)
    with pytest.raises(SnapshotPrerequisiteError) as caught:
        stack.source.current()
    assert "ConfigurationMonitoring.ReadWrite.All" in str(caught.value)
    assert "grant-graph-permissions.sh" in str(caught.value)


def test_missing_service_principal_is_named_with_the_command(start_stack: Start) -> None:
    stack = start_stack(service_principal="missing")
    with pytest.raises(SnapshotPrerequisiteError, match="service principal") as caught:
        stack.source.current()
    assert "grant-graph-permissions.sh" in str(caught.value)


def test_service_principal_without_read_role_fails_the_job_with_the_role_named(start_stack: Start) -> None:
    stack = start_stack(service_principal="no_role")
    with pytest.raises(SnapshotError):
        stack.source.current()
    stack.advance(10)
    with pytest.raises(SnapshotError, match="Global Reader"):
        stack.source.current()


def test_a_refused_refresh_is_not_asked_again_by_every_pass(start_stack: Start) -> None:
    stack = start_stack(other_jobs=12)
    for _ in range(8):
        with pytest.raises(SnapshotError, match="12 snapshot jobs"):
            stack.source.current()
        stack.advance(15)
    listed = stack.sim.stats()["requests"].get("GET configurationSnapshotJobs", 0)
    assert listed == 1  # one attempt, then the next only after RETRY_AFTER


def test_the_monthly_resource_quota_is_respected(start_stack: Start) -> None:
    stack = start_stack()
    cache = SnapshotCache(stack.store)
    cache.remember_job("earlier", stack.sim.clock.now(), 20_000)
    with pytest.raises(SnapshotLimitError, match="20000 snapshot resources in 30 days"):
        stack.source.current()
    assert stack.jobs_created == 0
