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

SCENARIO = Path(__file__).with_name("scenario.json")


def sim_settings(sim: SimulatedTenant, **extra: str) -> Settings:
    return settings_from_values(
        {
            "TENANT_ID": sim.tenant_id,
            "CLIENT_ID": sim.client_id,
            "CLIENT_SECRET": sim.client_secret,
            "AUTHORITY_HOST": sim.base_url,
            "INSTANCE_DISCOVERY": "false",
            "GRAPH_BASE_URL": sim.graph_url,
            "GRAPH_BETA_BASE_URL": sim.graph_beta_url,
            "POLICY_ADMIN_BASE_URL": sim.policy_admin_url,
            "CA_BUNDLE": sim.ca_bundle,
            "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01",
            "HTTP_RETRY_MAX_DELAY_SECONDS": "2",
            "HTTP_MAX_RETRIES": "8",
        }
        | extra
    )


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
