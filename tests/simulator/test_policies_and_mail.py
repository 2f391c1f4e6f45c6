"""getPolicyId, delayed policy assignment, calling-policy settings and sendMail into the outbox."""

from __future__ import annotations

from datetime import timedelta

import httpx

from teams_sip.simulator import SimulatedTenant
from tests.simulator.conftest import token


def _calling_policy(client: httpx.Client, sim: SimulatedTenant, user_id: str) -> str:
    """Takes a fresh token: advancing the clock an hour expires the previous one, as in Entra."""
    url = f"{sim.graph_url}/admin/teams/userConfigurations/{user_id}"
    config = client.get(url, headers=token(client, sim)).json()["value"]  # wrapped, as the docs' example
    return str(
        next(
            p["policyAssignment"]["displayName"]
            for p in config["effectivePolicyAssignments"]
            if p["policyType"] == "TeamsCallingPolicy"
        )
    )


def test_get_policy_id_needs_the_comma_the_sdk_drops(sim: SimulatedTenant, client, graph):
    good = client.get(
        f"{sim.graph_url}/admin/teams/policy/getPolicyId(type='TeamsCallingPolicy',name='SIPDevices')", headers=graph
    )
    assert good.status_code == 200 and good.json()["value"][0]["name"] == "Tag:SIPDevices"
    broken = client.get(
        f"{sim.graph_url}/admin/teams/policy/getPolicyId(type='TeamsCallingPolicy'name='SIPDevices')", headers=graph
    )
    assert broken.status_code == 400
    unknown = client.get(
        f"{sim.graph_url}/admin/teams/policy/getPolicyId(type='TeamsCallingPolicy',name='Nope')", headers=graph
    )
    assert unknown.status_code == 404


def test_assignment_takes_effect_only_after_propagation(sim: SimulatedTenant, client, graph):
    user = sim.scenario.users_with_case("policy_not_sip")[0]
    policy_id = client.get(
        f"{sim.graph_url}/admin/teams/policy/getPolicyId(type='TeamsCallingPolicy',name='SIPDevices')", headers=graph
    ).json()["value"][0]["policyId"]
    url = f"{sim.graph_url}/admin/teams/policy/userAssignments/assign"
    body = {"value": [{"userId": user.id, "policyType": "TeamsCallingPolicy", "policyId": policy_id}]}
    assert client.post(url, headers=graph, json=body).status_code == 204
    assert _calling_policy(client, sim, user.id) == "Global"
    sim.clock.advance(timedelta(minutes=61))
    assert _calling_policy(client, sim, user.id) == "SIPDevices"
    unassign = {"value": [{"userId": user.id, "policyType": "TeamsCallingPolicy"}]}
    url = f"{sim.graph_url}/admin/teams/policy/userAssignments/unassign"
    r = client.post(url, headers=token(client, sim), json=unassign)
    assert r.status_code == 204
    sim.clock.advance(timedelta(minutes=61))
    assert _calling_policy(client, sim, user.id) == "Global"


def test_bad_assignment_is_refused_whole(sim: SimulatedTenant, client, graph):
    first, second = sim.scenario.users_with_case("policy_not_sip")[:1][0], sim.scenario.users[0]
    body = {
        "value": [
            {
                "userId": first.id,
                "policyType": "TeamsCallingPolicy",
                "policyId": sim.world.policy_id("TeamsCallingPolicy", "SIPDevices"),
            },
            {"userId": second.id, "policyType": "TeamsCallingPolicy", "policyId": "not-a-policy"},
        ]
    }
    r = client.post(f"{sim.graph_url}/admin/teams/policy/userAssignments/assign", headers=graph, json=body)
    assert r.status_code == 404
    assert not [p for p in sim.world.pending if p.user_id == first.id]


def test_calling_policy_settings_through_the_admin_api(sim: SimulatedTenant, client):
    admin = token(client, sim, "48ac35b8-9aa8-4d74-927d-1f4a14a0b239/.default")
    listed = client.get(f"{sim.policy_admin_url}/Skype.Policy/configurations/TeamsCallingPolicy", headers=admin)
    by_identity = {p["Identity"]: p for p in listed.json()}
    assert by_identity["Global"]["AllowSIPDevicesCalling"] is False
    assert by_identity["Tag:SIPNoRedirect"]["AllowCallRedirect"] == "Disabled"
    one = client.get(
        f"{sim.policy_admin_url}/Skype.Policy/configurations/TeamsCallingPolicy/Tag:SIPDevices", headers=admin
    )
    assert one.json()["AllowSIPDevicesCalling"] is True
    graph_token = token(client, sim)
    assert (
        client.get(
            f"{sim.policy_admin_url}/Skype.Policy/configurations/TeamsCallingPolicy", headers=graph_token
        ).status_code
        == 401
    )


def test_send_mail_lands_in_the_outbox(sim: SimulatedTenant, client, graph):
    sender = sim.scenario.users[0].upn
    message = {
        "message": {
            "subject": "Worksheet Berlin",
            "body": {"contentType": "HTML", "content": "<p>codes</p>"},
            "toRecipients": [{"emailAddress": {"address": "site@contoso.example"}}],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": "w.csv",
                    "contentType": "text/csv",
                    "contentBytes": "YSxi",
                }
            ],
        },
        "saveToSentItems": False,
    }
    r = client.post(f"{sim.graph_url}/users/{sender}/sendMail", headers=graph, json=message)
    assert r.status_code == 202
    mail = sim.outbox[-1]
    assert (mail.sender, mail.to, mail.subject, mail.attachments) == (
        sender,
        ("site@contoso.example",),
        "Worksheet Berlin",
        (("w.csv", "text/csv", 3),),
    )
    no_to = client.post(f"{sim.graph_url}/users/{sender}/sendMail", headers=graph, json={"message": {"subject": "x"}})
    assert no_to.status_code == 400 and no_to.json()["error"]["code"] == "ErrorInvalidRecipients"
