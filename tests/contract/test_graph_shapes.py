"""Each Graph endpoint teams-sip uses, driven through the real client stack (GraphSession: kiota
middleware, our `$batch` sender, msgraph-sdk for getPolicyId) against the simulated tenant; every
answer is judged by msgraph-sdk's generated models (tests/contract/judge.py). Each test also checks
that the answers it means to judge were recorded, so an empty recording cannot pass."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.errors import GraphError
from teams_sip.simulator import Scenario, SimulatedTenant, recording
from teams_sip.simulator.recording import GraphAnswer, GraphRecorder
from teams_sip.simulator.scenario import ScenarioUser
from tests.clients.conftest import sim_settings
from tests.contract.expectations import ALLOWED
from tests.contract.judge import Finding, expectation_for, judge

CONFIG = "/admin/teams/userConfigurations"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatedTenant]:
    base = Scenario.generate(users=40, seed=3, devices=4)
    odd = ScenarioUser("odd.one@contoso.example", "Odd One", account_type="sfbOnPremUser", licenses=("SPE_E3",))
    with SimulatedTenant.start(dataclasses.replace(base, users=(*base.users, odd))) as tenant:
        yield tenant


@pytest.fixture
def graph(sim: SimulatedTenant) -> Iterator[GraphSession]:
    settings = sim_settings(sim)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        yield session


@pytest.fixture
def answers() -> Iterator[GraphRecorder]:
    with recording.recording() as recorder:
        yield recorder


def divergences(recorded: list[GraphAnswer]) -> list[Finding]:
    allowed = {a.key() for a in ALLOWED}
    return [f for answer in recorded for f in judge(answer) if f.key() not in allowed]


def judged(recorder: GraphRecorder, *routes: str) -> list[GraphAnswer]:
    """The recorded answers, after checking each named route answered at least once and all conform."""
    recorded = recorder.drain()
    seen = {e.name for a in recorded if (e := expectation_for(a)) is not None}
    assert set(routes) <= seen, f"not recorded: {set(routes) - seen}"
    assert divergences(recorded) == []
    return recorded


def test_users_list_pages_filter_select_and_get(graph: GraphSession, sim: SimulatedTenant,
                                                answers: GraphRecorder) -> None:
    pages = list(graph.iter_pages("/users", {"$top": "15"}))
    assert len(pages) >= 3  # paged through @odata.nextLink
    upns = [u.upn for u in sim.scenario.users[:3]]
    quoted = ",".join(f"'{u}'" for u in upns)
    fields = "id,userPrincipalName,accountEnabled,userType,assignedLicenses,assignedPlans,usageLocation"
    found = graph.get_json("/users", {"$filter": f"userPrincipalName in ({quoted})", "$select": fields})
    assert len(found["value"]) == 3
    graph.get_json(f"/users/{upns[0]}", {"$select": fields})
    graph.get_json(f"/users/{upns[1]}")
    judged(answers, "GET /users", "GET /users/{id}")


def test_licence_details_and_count_inside_batch(graph: GraphSession, sim: SimulatedTenant,
                                                answers: GraphRecorder) -> None:
    user_id = sim.scenario.users[0].id
    got = graph.batch([
        BatchRequest("l", f"/users/{user_id}/licenseDetails"),
        BatchRequest("n", "/users?$count=true&$top=1&$select=id", headers={"ConsistencyLevel": "eventual"}),
        BatchRequest("missing", "/users/nobody@contoso.example"),
    ])
    # licenseDetails supports no application permission (its page's table): an app-only token is refused
    assert got["l"].status == 403 and got["n"].ok and got["missing"].status == 404
    recorded = judged(answers, "POST /$batch", "GET /users/{id}/licenseDetails", "GET /users", "GET /users/{id}")
    assert sum(a.inner for a in recorded) == 3


def test_user_configurations_list_select_and_get(graph: GraphSession, sim: SimulatedTenant,
                                                 answers: GraphRecorder) -> None:
    select = "id,userPrincipalName,accountType,isEnterpriseVoiceEnabled,featureTypes,telephoneNumbers," \
             "effectivePolicyAssignments"
    listed = [c for page in graph.iter_pages(CONFIG, {"$select": select, "$top": "10"}) for c in page]
    assert len(listed) == len(sim.scenario.users)
    graph.get_json(f"{CONFIG}/{sim.scenario.users[0].id}")
    graph.batch([BatchRequest(f"c{n}", f"{CONFIG}/{u.id}?$select={select}") for n, u in
                 enumerate(sim.scenario.users[:5])])
    judged(answers, "GET /admin/teams/userConfigurations", "GET /admin/teams/userConfigurations/{id}")


def test_policy_id_and_assignment(graph: GraphSession, sim: SimulatedTenant, answers: GraphRecorder) -> None:
    policy_id = graph.policy_id("TeamsCallingPolicy", "SIPDevices")
    assert policy_id
    user_id = sim.scenario.users[1].id
    body = {"value": [{"userId": user_id, "policyType": "TeamsCallingPolicy", "policyId": policy_id}]}
    graph.post_json("/admin/teams/policy/userAssignments/assign", body)
    graph.post_json("/admin/teams/policy/userAssignments/unassign",
                    {"value": [{"userId": user_id, "policyType": "TeamsCallingPolicy"}]})
    assert graph.policy_id("TeamsCallingPolicy", "NoSuchPolicy") is None  # a 404: an error body
    judged(answers, "GET /admin/teams/policy/getPolicyId", "POST /admin/teams/policy/userAssignments/assign",
           "POST /admin/teams/policy/userAssignments/unassign")


def test_send_mail(graph: GraphSession, sim: SimulatedTenant, answers: GraphRecorder) -> None:
    sender = sim.scenario.users[0].upn
    message = {"subject": "s", "body": {"contentType": "Text", "content": "c"},
               "toRecipients": [{"emailAddress": {"address": "ops@contoso.example"}}]}
    assert graph.post_json(f"/users/{sender}/sendMail", {"message": message}) is None
    judged(answers, "POST /users/{id}/sendMail")


def test_teamwork_devices_through_the_beta_models(graph: GraphSession, answers: GraphRecorder) -> None:
    devices = [d for page in graph.iter_pages("/teamwork/devices", {"$filter": "deviceType eq 'sip'"}, beta=True)
               for d in page]
    assert len(devices) == 4
    graph.get_json(f"/teamwork/devices/{devices[0]['id']}", beta=True)
    judged(answers, "GET /beta/teamwork/devices", "GET /beta/teamwork/devices/{id}")


@pytest.mark.parametrize(("path", "params"), [
    ("/users/nobody@contoso.example", {}),  # 404
    ("/users", {"$select": "noSuchProperty"}),  # 400
    ("/users", {"$top": "5000"}),  # 400
    (CONFIG, {"$orderby": "displayName"}),  # 400
    ("/no/such/resource", {}),  # 400 for the segment
])
def test_error_answers_have_the_documented_shape(graph: GraphSession, answers: GraphRecorder, path: str,
                                                  params: dict[str, str]) -> None:
    with pytest.raises(GraphError):
        graph.get_json(path, params)
    recorded = answers.drain()
    assert recorded and all(a.status >= 400 for a in recorded)
    assert divergences(recorded) == []


def test_permission_and_throttling_errors(sim: SimulatedTenant, answers: GraphRecorder) -> None:
    roles = list(sim.scenario.app.roles)
    settings = sim_settings(sim, HTTP_MAX_RETRIES="0")
    sim.set_app_roles([r for r in roles if r != "Mail.Send"])  # tokens issued from now on lack it
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as graph:
            with pytest.raises(GraphError):
                graph.post_json(f"/users/{sim.scenario.users[0].upn}/sendMail", {"message": {}})
            sim.set_faults(throttled=1.0)
            graph.batch([BatchRequest("t", "/users?$top=1")])
    finally:
        sim.set_app_roles(roles)
        sim.set_faults(throttled=0)
    recorded = answers.drain()
    assert {403, 429} <= {a.status for a in recorded}
    assert divergences(recorded) == []
