"""The simulated Graph answers users and userConfigurations requests as Microsoft's pages show them,
and serves either reading where the pages are silent (scenario switches)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.scenario import ScenarioError
from tests.simulator.conftest import token

PREFER = {"Prefer": "include-unknown-enum-members"}
EVENTUAL = {"ConsistencyLevel": "eventual"}


def small(**switches: Any) -> Scenario:
    return Scenario.from_dict({
        "tenant": {"domain": "fabrikam.example"},
        "users": [
            {"upn": "cp@fabrikam.example", "licenses": ["SPE_E5", "MCOPSTN1"], "phoneNumber": "+4930100001"},
            {"upn": "oc@fabrikam.example", "licenses": ["SPE_E5"], "phoneNumber": "+4930100002",
             "enterpriseVoice": True, "callingPolicy": "SIPDevices"},
            {"upn": "odd@fabrikam.example", "accountType": "ineligibleUser", "licenses": ["SPE_E3"]},
            {"upn": "hidden@fabrikam.example", "licenses": ["SPE_E5"], "assignedPlansShown": False},
        ],
        "callingPolicies": [{"name": "SIPDevices", "allowSipDevicesCalling": True}],
        **switches,
    })


@pytest.fixture
def tenant(request: pytest.FixtureRequest) -> Iterator[tuple[SimulatedTenant, httpx.Client, dict[str, str]]]:
    switches = getattr(request, "param", {})
    with SimulatedTenant.start(small(**switches)) as sim, httpx.Client(verify=sim.ssl_context(), timeout=10) as c:
        yield sim, c, token(c, sim)


def user_id(sim: SimulatedTenant, local: str) -> str:
    return next(u.id for u in sim.scenario.users if u.upn.startswith(local + "@"))


def config(sim: SimulatedTenant, client: httpx.Client, graph: dict[str, str], local: str,
           headers: dict[str, str] | None = None) -> dict[str, Any]:
    url = f"{sim.graph_url}/admin/teams/userConfigurations/{user_id(sim, local)}"
    body = client.get(url, headers=graph | (headers or {})).json()
    assert set(body) == {"value"}  # the single GET wraps its object, as the documented example answers
    found: dict[str, Any] = body["value"]
    return found


def test_ineligible_user_is_named_only_to_clients_that_ask(tenant) -> None:
    sim, client, graph = tenant
    assert config(sim, client, graph, "odd")["accountType"] == "unknownFutureValue"
    assert config(sim, client, graph, "odd", PREFER)["accountType"] == "ineligibleUser"
    url = f"{sim.graph_url}/admin/teams/userConfigurations"
    listed = {c["userPrincipalName"]: c["accountType"] for c in client.get(url, headers=graph).json()["value"]}
    assert listed["odd@fabrikam.example"] == "unknownFutureValue"
    asked = client.get(url, headers=graph | PREFER).json()["value"]
    assert {c["userPrincipalName"]: c["accountType"] for c in asked}["odd@fabrikam.example"] == "ineligibleUser"
    inner: dict[str, Any] = {"id": "1", "method": "GET",
                             "url": f"/admin/teams/userConfigurations/{user_id(sim, 'odd')}"}
    batch = client.post(f"{sim.graph_url}/$batch", headers=graph | PREFER, json={"requests": [inner]}).json()
    assert batch["responses"][0]["body"]["value"]["accountType"] == "unknownFutureValue"  # inner headers only
    inner["headers"] = PREFER
    batch = client.post(f"{sim.graph_url}/$batch", headers=graph, json={"requests": [inner]}).json()
    assert batch["responses"][0]["body"]["value"]["accountType"] == "ineligibleUser"
    received = sim.prefer_received()["GET /v1.0/admin/teams/userConfigurations/{id}"]
    assert received == {"": 2, "include-unknown-enum-members": 2}


def test_a_calling_plan_user_has_the_voice_flag_off_as_in_the_docs_example(tenant) -> None:
    sim, client, graph = tenant
    cp = config(sim, client, graph, "cp")
    assert cp["isEnterpriseVoiceEnabled"] is False and cp["featureTypes"][:1] == ["Teams"]
    assert "CallingPlan" in cp["featureTypes"]
    assert config(sim, client, graph, "oc")["isEnterpriseVoiceEnabled"] is True


@pytest.mark.parametrize("tenant", [{"voiceFlagWithoutCallingPlan": False}], indirect=True)
def test_operator_connect_users_can_be_served_with_the_voice_flag_off(tenant) -> None:
    sim, client, graph = tenant
    oc = config(sim, client, graph, "oc")
    assert oc["isEnterpriseVoiceEnabled"] is False and "CallingPlan" not in oc["featureTypes"]


@pytest.mark.parametrize("tenant", [{}, {"defaultPoliciesListed": False}], indirect=True, ids=["listed", "left-out"])
def test_the_default_policy_is_listed_as_global_or_left_out(tenant) -> None:
    sim, client, graph = tenant
    listed = sim.scenario.default_policies_listed
    cp = {p["policyType"]: p["policyAssignment"]["displayName"]
          for p in config(sim, client, graph, "cp")["effectivePolicyAssignments"]}
    assert cp == ({"TeamsCallingPolicy": "Global", "TeamsIPPhonePolicy": "Global"} if listed else {})
    oc = {p["policyType"]: p["policyAssignment"]["displayName"]
          for p in config(sim, client, graph, "oc")["effectivePolicyAssignments"]}
    assert oc["TeamsCallingPolicy"] == "SIPDevices" and ("TeamsIPPhonePolicy" in oc) is listed


def test_count_needs_consistency_level_eventual(tenant) -> None:
    sim, client, graph = tenant
    users = f"{sim.graph_url}/users"
    ignored = client.get(users, headers=graph, params={"$count": "true"}).json()
    assert "@odata.count" not in ignored  # the advanced-query page: ignored without the header
    counted = client.get(users, headers=graph | EVENTUAL, params={"$count": "true", "$top": "1"}).json()
    assert counted["@odata.count"] == 4
    refused = client.get(f"{users}/$count", headers=graph)
    assert refused.status_code == 400
    assert refused.json()["error"] | {"innerError": None} == {
        "code": "Request_BadRequest", "message": "$count is not currently supported.", "innerError": None}
    segment = client.get(f"{users}/$count", headers=graph | EVENTUAL)
    assert segment.status_code == 200 and segment.text == "4"


def test_a_property_the_resource_does_not_have_is_refused(tenant) -> None:
    sim, client, graph = tenant
    cp = user_id(sim, "cp")
    for url, bad in ((f"{sim.graph_url}/users", "shoeSize"), (f"{sim.graph_url}/users/{cp}", "licenseDetails"),
                     (f"{sim.graph_url}/admin/teams/userConfigurations", "userIdentifier"),
                     (f"{sim.graph_url}/admin/teams/userConfigurations/{cp}", "userIdentifier")):
        refused = client.get(url, headers=graph, params={"$select": f"id,{bad}"})
        assert refused.status_code == 400, url
        assert bad in refused.json()["error"]["message"]


def test_licence_details_are_refused_and_plans_can_be_withheld(tenant) -> None:
    sim, client, graph = tenant
    refused = client.get(f"{sim.graph_url}/users/{user_id(sim, 'cp')}/licenseDetails", headers=graph)
    assert refused.status_code == 403
    select = {"$select": "id,assignedLicenses,assignedPlans"}
    hidden = client.get(f"{sim.graph_url}/users/{user_id(sim, 'hidden')}", headers=graph, params=select).json()
    assert hidden["assignedLicenses"] and "assignedPlans" not in hidden


def test_the_switches_survive_the_scenario_file() -> None:
    s = small(defaultPoliciesListed=False, voiceFlagWithoutCallingPlan=False)
    again = Scenario.from_dict(s.to_dict())
    assert (again.default_policies_listed, again.voice_flag_without_calling_plan) == (False, False)
    assert [u.assigned_plans_shown for u in again.users] == [True, True, True, False]
    assert Scenario.from_dict(small().to_dict()).default_policies_listed is True
    with pytest.raises(ScenarioError, match="defaultPoliciesListed"):
        small(defaultPoliciesListed="yes")


def test_generated_users_that_should_pass_carry_skype_for_business_online_plan_2() -> None:
    from teams_sip.domain.clock import ManualClock
    from teams_sip.simulator.world import World

    s = Scenario.generate(users=60, seed=3)
    world = World(s, ManualClock(s.start))
    should_pass = [u for u in s.users if u.case.startswith("eligible") or u.case == "common_area"]
    assert should_pass and all("MCOSTANDARD" in world.enabled_plans(u) for u in should_pass)
