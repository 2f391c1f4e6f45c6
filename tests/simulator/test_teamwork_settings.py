"""The simulator's SIP device inventory switches, from a scenario file and mid-test."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from teams_sip.errors import InputError
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.scenario import ScenarioDevice, ScenarioError
from teams_sip.simulator.teamwork import TeamworkSettings
from tests.simulator.conftest import token


def test_scenario_json_carries_the_teamwork_switches() -> None:
    base = Scenario.generate(users=5, seed=3)
    data = base.to_dict() | {"teamwork": {"listing": "empty", "enumCase": "pascal", "macPrefix": "LAN:"}}
    loaded = Scenario.from_dict(data)
    assert loaded.teamwork == TeamworkSettings(listing="empty", enum_case="pascal", mac_prefix="LAN:")
    assert Scenario.from_dict(loaded.to_dict()).teamwork == loaded.teamwork
    with pytest.raises(ScenarioError, match="teamwork"):
        Scenario.from_dict(base.to_dict() | {"teamwork": {"listing": "sometimes"}})
    with pytest.raises(InputError, match="unknown teamwork"):
        TeamworkSettings().updated({"colour": "blue"})


def test_the_listing_answers_as_switched(sim: SimulatedTenant, client: httpx.Client, graph: dict[str, str]) -> None:
    url = f"{sim.graph_beta_url}/teamwork/devices"
    try:
        for listing, status in (("retired", 404), ("gone", 410), ("failing", 500)):
            sim.set_teamwork(listing=listing)
            assert client.get(url, headers=graph).status_code == status
        sim.set_teamwork(listing="empty")
        answer = client.get(url, headers=graph)
        assert answer.status_code == 200 and answer.json()["value"] == []
    finally:
        sim.set_teamwork(listing="documented")
    assert client.get(url, headers=graph, params={"$top": "51"}).status_code == 400


def test_pascal_case_and_prefixed_macs() -> None:
    base = Scenario.generate(users=20, seed=5)
    user = base.users_with_case("eligible")[0]
    device = ScenarioDevice("0003717C0E0A", "Ward 1", "signedIn", user.upn)
    scenario = dataclasses.replace(base, devices=(device,), teamwork=TeamworkSettings(enum_case="pascal",
                                                                                        mac_prefix="LAN:"))
    with SimulatedTenant.start(scenario) as tenant, httpx.Client(verify=tenant.ssl_context(), timeout=10) as c:
        answer = c.get(f"{tenant.graph_beta_url}/teamwork/devices", headers=token(c, tenant)).json()["value"][0]
    assert answer["deviceType"] == "Sip" and answer["healthStatus"] == "Healthy" and answer["activityState"] == "Idle"
    assert answer["hardwareDetail"]["macAddresses"] == ["LAN:00-03-71-7C-0E-0A"]
    assert answer["hardwareDetail"]["uniqueId"] != "0003717C0E0A" and "lastModifiedDateTime" in answer
