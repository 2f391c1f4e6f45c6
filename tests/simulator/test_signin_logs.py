"""The simulator's Entra sign-in log: the documented signIn shape (msgraph-sdk's own model reads it),
newest first, $filter on appId and createdDateTime, paging by @odata.nextLink, 403 without P1/P2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.sign_in_collection_response import SignInCollectionResponse

from teams_sip.adapters.graph.signin_logs import signin_filter
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.devices import DeviceActionError
from teams_sip.simulator.signin_events import SignInEvent
from tests.simulator.conftest import START

APP = "61c8fd69-c13e-4ee6-aaa6-24ff71c09bca"


@pytest.fixture
def logged(sim: SimulatedTenant) -> Iterator[list[SignInEvent]]:
    with sim.world.lock:
        users = list(sim.world.users.values())[:5]
        events = [SignInEvent(START + timedelta(minutes=i), u.upn, u.id, u.display_name, APP, id=f"id-{i}")
                  for i, u in enumerate(users)]
        events.append(SignInEvent(START, users[0].upn, users[0].id, "x", "de8bc8b5-d9f9-48b1-a8ad-b748da725064",
                                  id="other-app"))
        saved, sim.world.sign_in_log = sim.world.sign_in_log, list(events)
    yield events
    with sim.world.lock:
        sim.world.sign_in_log = saved


def _get(client: httpx.Client, sim: SimulatedTenant, graph: dict[str, str], **params: str) -> httpx.Response:
    return client.get(f"{sim.graph_url}/auditLogs/signIns", headers=graph, params=params)


def test_filtered_newest_first_and_paged(sim: SimulatedTenant, client: httpx.Client, graph: dict[str, str],
                                         logged: list[SignInEvent]) -> None:
    query = {"$filter": signin_filter(START + timedelta(minutes=1)), "$top": "2"}
    first = _get(client, sim, graph, **query)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [e["id"] for e in body["value"]] == ["id-4", "id-3"]
    second = client.get(body["@odata.nextLink"], headers=graph).json()
    assert [e["id"] for e in second["value"]] == ["id-2", "id-1"]  # id-0 is older, the other app filtered out
    assert "@odata.nextLink" not in second
    assert _get(client, sim, graph, **{"$filter": "createdDateTime ge yesterday"}).status_code == 400
    assert _get(client, sim, graph, **{"$top": "1001"}).status_code == 400


def test_answers_parse_with_the_sdks_signin_model(sim: SimulatedTenant, client: httpx.Client,
                                                  graph: dict[str, str], logged: list[SignInEvent]) -> None:
    raw = _get(client, sim, graph).content
    node = JsonParseNodeFactory().get_root_parse_node("application/json", raw)
    page = node.get_object_value(SignInCollectionResponse)
    assert page.value is not None and len(page.value) == 6
    item = page.value[0]
    assert item.app_id == APP and item.status is not None and item.status.error_code == 0
    assert item.created_date_time == START + timedelta(minutes=4)
    assert set(page.additional_data) <= {"@odata.context"}
    assert not item.additional_data, item.additional_data  # every property is one the model knows
    assert json.loads(raw)["value"][0]["status"] == {"errorCode": 0, "failureReason": None, "additionalDetails": None}


def test_without_entra_premium_the_log_answers_403(sim: SimulatedTenant, client: httpx.Client,
                                                   graph: dict[str, str]) -> None:
    sim.set_entra_premium(False)
    try:
        answer = _get(client, sim, graph)
    finally:
        sim.set_entra_premium(True)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def test_a_handset_sign_in_is_logged_refused_ones_with_an_error(sim: SimulatedTenant) -> None:
    with sim.world.lock:
        before = len(sim.world.sign_in_log)
        sim.world.devices.register("00AA11BB22CC", "", sim.world.now())
    outcomes = []
    for user in list(sim.world.users.values())[:40]:
        with sim.world.lock:
            device = sim.world.devices.devices["00AA11BB22CC"]
            device.state, device.activated_at, device.online = "waitingForSignIn", sim.world.now(), True
        try:
            sim.sign_in("00AA11BB22CC", user.upn)
            outcomes.append(0)
        except DeviceActionError:
            outcomes.append(1)
    logged = sim.world.sign_in_log[before:]
    assert 0 in outcomes and 1 in outcomes
    assert len(logged) <= len(outcomes) and all(e.app_id == APP for e in logged)
    assert {e.error_code == 0 for e in logged} == {True, False}
    assert all(e.failure_reason for e in logged if e.error_code)
