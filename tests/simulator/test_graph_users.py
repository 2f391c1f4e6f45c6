"""Graph v1.0 users, licence details and Teams user configurations over real HTTPS."""

from __future__ import annotations

from typing import Any

import httpx

from teams_sip.simulator import SimulatedTenant


def _all_pages(
    client: httpx.Client, url: str, headers: dict[str, str], params: dict[str, str]
) -> list[list[dict[str, Any]]]:
    pages = []
    r = client.get(url, headers=headers, params=params)
    while True:
        assert r.status_code == 200, r.text
        pages.append(r.json()["value"])
        link = r.json().get("@odata.nextLink")
        if not link:
            return pages
        r = client.get(link, headers=headers)


def test_users_page_with_next_link_and_keep_select(sim: SimulatedTenant, client: httpx.Client, graph):
    pages = _all_pages(client, f"{sim.graph_url}/users", graph, {"$top": "100", "$select": "id,accountEnabled"})
    assert [len(p) for p in pages] == [100, 100, 60]
    assert all(set(u) == {"id", "accountEnabled"} for p in pages for u in p)
    assert len({u["id"] for p in pages for u in p}) == 260


def test_default_page_is_100_and_top_is_limited_to_999(sim: SimulatedTenant, client: httpx.Client, graph):
    r = client.get(f"{sim.graph_url}/users", headers=graph)
    assert len(r.json()["value"]) == 100 and "accountEnabled" not in r.json()["value"][0]
    too_big = client.get(f"{sim.graph_url}/users", headers=graph, params={"$top": "1000"})
    assert too_big.status_code == 400 and "between 1 and 999" in too_big.json()["error"]["message"]


def test_filter_by_upn_eq_and_in_is_case_insensitive_and_capped_at_15(sim: SimulatedTenant, client, graph):
    upns = [u.upn for u in sim.scenario.users[:16]]
    one = client.get(
        f"{sim.graph_url}/users", headers=graph, params={"$filter": f"userPrincipalName eq '{upns[0].upper()}'"}
    )
    assert [u["userPrincipalName"] for u in one.json()["value"]] == [upns[0]]
    quoted = ",".join(f"'{u}'" for u in upns[:15])
    many = client.get(f"{sim.graph_url}/users", headers=graph, params={"$filter": f"userPrincipalName in ({quoted})"})
    assert sorted(u["userPrincipalName"] for u in many.json()["value"]) == sorted(upns[:15])
    quoted16 = ",".join(f"'{u}'" for u in upns)
    refused = client.get(
        f"{sim.graph_url}/users", headers=graph, params={"$filter": f"userPrincipalName in ({quoted16})"}
    )
    assert refused.status_code == 400 and "Max allowed: 15" in refused.json()["error"]["message"]
    unsupported = client.get(f"{sim.graph_url}/users", headers=graph, params={"$filter": "startswith(mail,'a')"})
    assert unsupported.status_code == 400


def test_filters_naming_users_answer_as_a_full_scan_would(sim: SimulatedTenant, client, graph):
    """Filters by id or UPN are answered from the index: the same users, an unknown name simply
    missing, other clauses still applied, duplicates once, and a nextLink when they fill a page."""
    users = sim.scenario.users
    url = f"{sim.graph_url}/users"

    def names(flt: str, **extra: str) -> list[str]:
        return sorted(u["userPrincipalName"] for p in _all_pages(client, url, graph, {"$filter": flt} | extra)
                      for u in p)

    mixed = [users[0].upn.upper(), users[1].upn, users[1].upn, "nobody@contoso.example"]
    assert names("userPrincipalName in (" + ",".join(f"'{u}'" for u in mixed) + ")") == sorted(
        [users[0].upn, users[1].upn])
    ids = ",".join(f"'{u.id}'" for u in users[:15])
    assert names(f"id in ({ids})", **{"$top": "4"}) == sorted(u.upn for u in users[:15])
    fourteen = ",".join(f"'{u.id}'" for u in users[:14])  # the other clause's value is the 15th
    enabled = sorted(u.upn for u in users[:14] if u.account_enabled)
    assert enabled and len(enabled) < 14
    assert names(f"id in ({fourteen}) and accountEnabled eq true") == enabled


def test_unknown_select_property_is_a_400(sim: SimulatedTenant, client, graph):
    r = client.get(f"{sim.graph_url}/users", headers=graph, params={"$select": "id,shoeSize"})
    assert r.status_code == 400 and "shoeSize" in r.json()["error"]["message"]


def test_get_user_by_id_or_upn_and_404(sim: SimulatedTenant, client, graph):
    user = sim.scenario.users[0]
    by_id = client.get(f"{sim.graph_url}/users/{user.id}", headers=graph).json()
    by_upn = client.get(f"{sim.graph_url}/users/{user.upn}", headers=graph, params={"$select": "id,assignedPlans"})
    assert by_id["userPrincipalName"] == user.upn and by_upn.json()["id"] == user.id
    assert by_upn.json()["assignedPlans"]
    missing = client.get(f"{sim.graph_url}/users/nobody@contoso.example", headers=graph)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"


def test_license_details_are_refused_to_app_only_tokens(sim: SimulatedTenant, client, graph):
    """Microsoft's permission table for this call supports no application permission."""
    user = sim.scenario.users_with_case("teams_phone_disabled")[0]
    refused = client.get(f"{sim.graph_url}/users/{user.id}/licenseDetails", headers=graph)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "Authorization_RequestDenied"


def test_assigned_plans_show_service_plans_and_disabled_ones(sim: SimulatedTenant, client, graph):
    user = sim.scenario.users_with_case("teams_phone_disabled")[0]
    body = client.get(f"{sim.graph_url}/users/{user.id}", headers=graph, params={"$select": "assignedPlans"}).json()
    plans = {p["servicePlanId"]: p["capabilityStatus"] for p in body["assignedPlans"]}
    assert plans["4828c8ec-dc2e-4779-b502-87ac9ce28ab7"] == "Deleted"  # MCOEV turned off
    assert plans["4ed3ff63-69d7-4fb7-b984-5aec7f605ca8"] == "Enabled"  # MCOPSTN1
    assert plans["0feaeb32-d00e-4d66-bd5a-43b5b83db82c"] == "Enabled"  # MCOSTANDARD, in E5


def test_user_configurations_list_filter_and_get(sim: SimulatedTenant, client, graph):
    url = f"{sim.graph_url}/admin/teams/userConfigurations"
    pages = _all_pages(client, url, graph, {})
    assert [len(p) for p in pages] == [100, 100, 60]
    assert client.get(url, headers=graph, params={"$top": "101"}).status_code == 400
    ra = sim.scenario.users_with_case("resource_account")[0]
    found = client.get(url, headers=graph, params={"$filter": f"userPrincipalName eq '{ra.upn}'"}).json()["value"]
    assert found[0]["accountType"] == "resourceAccount"
    eligible = sim.scenario.users_with_case("eligible")[0]
    config = client.get(f"{url}/{eligible.id}", headers=graph).json()["value"]  # wrapped, as the docs' example
    assert config["telephoneNumbers"] == [{"telephoneNumber": eligible.phone_number, "assignmentCategory": "primary"}]
    assert config["isEnterpriseVoiceEnabled"] is False  # a Calling Plan user, as the docs' example shows it
    calling = [p for p in config["effectivePolicyAssignments"] if p["policyType"] == "TeamsCallingPolicy"]
    assert calling[0]["policyAssignment"]["displayName"] == "SIPDevices"
    assert client.get(f"{url}/00000000-0000-0000-0000-000000000000", headers=graph).status_code == 404


def test_user_configurations_sort_by_id_or_upn_and_refuse_other_orders(sim: SimulatedTenant, client, graph):
    url = f"{sim.graph_url}/admin/teams/userConfigurations"
    ids = [c["id"] for p in _all_pages(client, url, graph, {"$orderby": "id", "$select": "id"}) for c in p]
    assert ids == sorted(ids, key=str.lower) and len(ids) == 260
    upns = [c["userPrincipalName"] for p in _all_pages(client, url, graph, {"$orderby": "userPrincipalName desc"})
            for c in p]
    assert upns == sorted(upns, key=str.lower, reverse=True)
    refused = client.get(url, headers=graph, params={"$orderby": "accountType"})
    assert refused.status_code == 400 and "accountType" in refused.json()["error"]["message"]
