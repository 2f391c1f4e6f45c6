"""A simulated tenant from scenario.json and the real client stack pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.directory import GraphDirectory
from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings
from teams_sip.config import Settings, settings_from_values
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.connection import settings_values

SCENARIO = Path(__file__).with_name("scenario.json")


def sim_settings(sim: SimulatedTenant, **extra: str) -> Settings:
    fast_retries = {"HTTP_RETRY_BASE_DELAY_SECONDS": "0.01", "HTTP_RETRY_MAX_DELAY_SECONDS": "2",
                    "HTTP_MAX_RETRIES": "8"}
    return settings_from_values(settings_values(sim, provisioning_mode="assisted") | fast_retries | extra)


@dataclass
class Stack:
    sim: SimulatedTenant
    session: GraphSession
    directory: GraphDirectory
    policies: TeamsAdminPolicySettings


@pytest.fixture
def scenario() -> Scenario:
    return Scenario.load(SCENARIO)


@pytest.fixture
def stack(scenario: Scenario) -> Iterator[Stack]:
    with SimulatedTenant.start(scenario) as sim:
        settings = sim_settings(sim)
        tokens = build_token_provider(settings, sim.clock)
        session = GraphSession(settings, tokens)
        policies = TeamsAdminPolicySettings(settings, tokens)
        try:
            yield Stack(sim, session, GraphDirectory(session.client), policies)
        finally:
            session.close()
            policies.close()
