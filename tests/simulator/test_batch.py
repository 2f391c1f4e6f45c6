"""JSON $batch: limit of 20, answers matched by id, per-inner status, throttling and dependencies."""

from __future__ import annotations

from typing import Any

import httpx

from teams_sip.simulator import SimulatedTenant


def _batch(client: httpx.Client, sim: SimulatedTenant, graph, requests: list[dict[str, Any]]) -> httpx.Response:
    return client.post(f"{sim.graph_url}/$batch", headers=graph, json={"requests": requests})


def test_mixed_inner_statuses_are_answered_by_id(sim: SimulatedTenant, client, graph):
    user = sim.scenario.users[0]
    requests = [
        {"id": "ok", "method": "GET", "url": f"/users/{user.id}?$select=id,accountEnabled"},
        {"id": "missing", "method": "GET", "url": "/users/nobody@contoso.example"},
        {"id": "bad", "method": "GET", "url": "/users?$top=5000"},
        {"id": "lic", "method": "GET", "url": f"users/{user.upn}/licenseDetails"},
    ]
    r = _batch(client, sim, graph, requests)
    assert r.status_code == 200
    answers = {a["id"]: a for a in r.json()["responses"]}
    assert {k: a["status"] for k, a in answers.items()} == {"ok": 200, "missing": 404, "bad": 400, "lic": 403}
    assert answers["ok"]["body"] == {
        "@odata.context": answers["ok"]["body"]["@odata.context"],
        "id": user.id,
        "accountEnabled": True,
    }
    assert answers["missing"]["body"]["error"]["code"] == "Request_ResourceNotFound"


def test_more_than_20_requests_or_duplicate_ids_are_refused(sim: SimulatedTenant, client, graph):
    many = [{"id": str(i), "method": "GET", "url": "/users?$top=1"} for i in range(21)]
    assert _batch(client, sim, graph, many).status_code == 400
    twice = [{"id": "1", "method": "GET", "url": "/users"}, {"id": "1", "method": "GET", "url": "/users"}]
    assert _batch(client, sim, graph, twice).status_code == 400


def test_write_without_content_type_is_refused_like_graph(sim: SimulatedTenant, client, graph):
    body = {"value": [{"userId": sim.scenario.users[0].id, "policyType": "TeamsCallingPolicy"}]}
    url = "/admin/teams/policy/userAssignments/unassign"
    assert _batch(client, sim, graph, [{"id": "1", "method": "POST", "url": url, "body": body}]).status_code == 400
    with_header: list[dict[str, Any]] = [
        {"id": "1", "method": "POST", "url": url, "body": body, "headers": {"Content-Type": "application/json"}}
    ]
    assert _batch(client, sim, graph, with_header).json()["responses"][0]["status"] == 204


def test_failed_dependency_gives_424(sim: SimulatedTenant, client, graph):
    requests: list[dict[str, Any]] = [
        {"id": "a", "method": "GET", "url": "/users/nobody@contoso.example"},
        {"id": "b", "method": "GET", "url": "/users?$top=1", "dependsOn": ["a"]},
    ]
    answers = {a["id"]: a["status"] for a in _batch(client, sim, graph, requests).json()["responses"]}
    assert answers == {"a": 404, "b": 424}


def test_inner_requests_are_throttled_one_by_one_with_retry_after(sim: SimulatedTenant, client, graph):
    sim.set_faults(rate_limit_per_s=1, burst=5)
    sim.reset_stats()
    try:
        requests = [{"id": str(i), "method": "GET", "url": "/users?$top=1&$select=id"} for i in range(20)]
        r = _batch(client, sim, graph, requests)
        assert r.status_code == 200  # the outer request itself is not throttled
        statuses = sorted(a["status"] for a in r.json()["responses"])
        assert statuses == [200] * 5 + [429] * 15
        throttled = [a for a in r.json()["responses"] if a["status"] == 429]
        assert all(int(a["headers"]["Retry-After"]) >= 1 for a in throttled)
        stats = sim.stats()
        assert stats["throttled"] == 15 and stats["innerBatchRequests"] == 20
    finally:
        sim.set_faults(rate_limit_per_s=None, burst=None)


def test_answers_come_back_in_a_seeded_order_not_the_asked_one(sim: SimulatedTenant, client, graph):
    requests = [{"id": str(i), "method": "GET", "url": "/users?$top=1&$select=id"} for i in range(20)]
    ids = [a["id"] for a in _batch(client, sim, graph, requests).json()["responses"]]
    assert sorted(ids, key=int) == [str(i) for i in range(20)] and ids != [str(i) for i in range(20)]
