"""A live simulated tenant on a free loopback port, and settings that point the client stack at it."""

from collections.abc import Iterator
from typing import Any

import pytest

from teams_sip.config import Settings, settings_from_values
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.connection import settings_values

FAULTS_OFF: dict[str, Any] = {
    "latency_ms": 0,
    "rate_limit_per_s": None,
    "burst": None,
    "error_503": 0,
    "error_504": 0,
    "resets": 0,
    "slow": 0,
    "throttling": "flat",
}


@pytest.fixture(scope="package")
def sim() -> Iterator[Any]:
    with SimulatedTenant.start(Scenario.generate(users=60, seed=7)) as tenant:
        yield tenant


@pytest.fixture(autouse=True)
def _calm(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts and ends without faults, so one test's knobs never leak into another."""
    if "sim" not in request.fixturenames:
        yield
        return
    tenant = request.getfixturevalue("sim")
    tenant.set_faults(**FAULTS_OFF)
    yield
    tenant.set_faults(**FAULTS_OFF)


def sim_values(sim: Any, **overrides: str) -> dict[str, str]:
    fast = {
        "HTTP_TIMEOUT_SECONDS": "5",
        "HTTP_RETRY_BASE_DELAY_SECONDS": "0.02",
        "HTTP_RETRY_MAX_DELAY_SECONDS": "5",
        "HTTP_MAX_RETRIES": "8",
    }
    return settings_values(sim) | fast | overrides


def sim_settings(sim: Any, **overrides: str) -> Settings:
    return settings_from_values(sim_values(sim, **overrides))
