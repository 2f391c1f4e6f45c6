"""One simulated tenant for the doctor's tests; each test switches it into the variant it needs and
the fixture puts it back, so a variant never leaks into the next test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.service.doctor import DoctorReport, run_doctor
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from teams_sip.simulator.config_snapshots import SnapshotService
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.teamwork import TeamworkSettings

CALM: dict[str, Any] = {"throttling": "flat", "latency_ms": 0, "rate_limit_per_s": None, "burst": None,
                        "throttled": 0, "error_503": 0, "error_504": 0, "resets": 0, "slow": 0}
FAST = {"HTTP_TIMEOUT_SECONDS": "5", "HTTP_RETRY_BASE_DELAY_SECONDS": "0.02", "HTTP_RETRY_MAX_DELAY_SECONDS": "5",
        "HTTP_MAX_RETRIES": "8"}

Doctor = Callable[..., DoctorReport]


@pytest.fixture(scope="package")
def sim() -> Iterator[SimulatedTenant]:
    with SimulatedTenant.start(Scenario.generate(users=120, seed=5, devices=45)) as tenant:
        yield tenant


@pytest.fixture(autouse=True)
def _restore(sim: SimulatedTenant) -> Iterator[None]:
    world = sim.world
    with world.lock:
        scenario, users, log = world.scenario, dict(world.users), list(world.sign_in_log)
    yield
    with world.lock:
        world.scenario, world.teamwork = scenario, TeamworkSettings()
        world.users.clear()
        world.users.update(users)
        world.config_snapshots = SnapshotService.for_scenario(scenario)  # no job a test created stays
        world.entra_premium = scenario.entra_premium
        world.sign_in_log[:] = log
    sim.set_app_roles(list(ALL_ROLES))
    sim.set_faults(**CALM)


def switch(sim: SimulatedTenant, **changes: Any) -> None:
    """Scenario switches (default_policies_listed, voice_flag_without_calling_plan, listing_orderby) mid-test."""
    with sim.world.lock:
        sim.world.scenario = replace(sim.world.scenario, **changes)


def snapshot_switch(sim: SimulatedTenant, **changes: Any) -> None:
    """Snapshot switches (layout, service_principal, run_minutes, ...) for the routes and the job service."""
    with sim.world.lock:
        snapshots = replace(sim.world.scenario.snapshots, **changes)
        sim.world.scenario = replace(sim.world.scenario, snapshots=snapshots)
        sim.world.config_snapshots.switches = snapshots


def values(sim: SimulatedTenant, **overrides: str) -> dict[str, str]:
    return settings_values(sim, provisioning_mode="assisted") | FAST | overrides


@pytest.fixture
def doctor(sim: SimulatedTenant) -> Doctor:
    """Runs the doctor against the simulator as the CLI does (composition root, read-only client)."""

    def run(policy: str | None = None, **overrides: str) -> DoctorReport:
        port, options = build_doctor(settings_from_values(values(sim, **overrides)), policy=policy)
        try:
            return run_doctor(port, options)
        finally:
            port.close()

    return run
