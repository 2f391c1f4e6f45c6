"""A simulated tenant with handsets that have dialled their code (waiting for sign-in), a Graph
session against it, and Azurite's blob service for the artefact store."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.scenario import ScenarioDevice
from tests.azurite import Azurite, running
from tests.clients.conftest import sim_settings

ACTIVATED = 57
"""More than one page of teamwork devices (Graph pages them at 50)."""


def activated_ids() -> list[str]:
    return [f"0004D5{n:06X}" for n in range(1, ACTIVATED + 1)]


NEVER_DIALLED = "00DEADBEEF00"


@pytest.fixture(scope="package")
def sim() -> Iterator[SimulatedTenant]:
    base = Scenario.generate(users=150, seed=11)
    devices = [ScenarioDevice(hid, f"Ward {n % 4}", "waitingForSignIn") for n, hid in enumerate(activated_ids())]
    devices.append(ScenarioDevice(NEVER_DIALLED, "Store room", "waitingOnActivation"))
    with SimulatedTenant.start(dataclasses.replace(base, devices=tuple(devices))) as tenant:
        yield tenant


@pytest.fixture
def graph(sim: SimulatedTenant) -> Iterator[GraphSession]:
    settings = sim_settings(sim)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        yield session


@pytest.fixture(scope="session")
def azurite_blob() -> Iterator[Azurite]:
    """Azurite's blob service alone (the store tests start their own table service)."""
    yield from running(("blob",))
