"""A live simulated tenant per test module, and plain-httpx helpers to talk to it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from teams_sip.domain.clock import ManualClock
from teams_sip.simulator import Scenario, SimulatedTenant

GRAPH = "https://graph.microsoft.com/.default"
PROVISIONING = "https://devicemgmt.teams.microsoft.com/.default"
START = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)


def token(client: httpx.Client, sim: SimulatedTenant, scope: str = GRAPH) -> dict[str, str]:
    r = client.post(
        f"{sim.authority}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sim.client_id,
            "client_secret": sim.client_secret,
            "scope": scope,
        },
    )
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatedTenant]:
    with SimulatedTenant.start(Scenario.generate(users=260, seed=7), clock=ManualClock(START)) as tenant:
        yield tenant


@pytest.fixture
def client(sim: SimulatedTenant) -> Iterator[httpx.Client]:
    with httpx.Client(verify=sim.ssl_context(), timeout=10) as c:
        yield c


@pytest.fixture
def graph(client: httpx.Client, sim: SimulatedTenant) -> dict[str, str]:
    return token(client, sim)
