"""The Graph adapter against the simulated tenant: SDK and helpers over the same middleware,
paging, our $batch sender, the getPolicyId work-around, permissions and throttling."""

import asyncio
import time

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.client import GraphClient
from teams_sip.adapters.graph.errors import GraphError, PermissionDeniedError
from teams_sip.adapters.graph.workarounds import policy_id_url

from .conftest import sim_settings


@pytest.fixture
def graph(sim):
    settings = sim_settings(sim)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        yield session


def all_user_ids(graph: GraphSession) -> list[str]:
    return [u["id"] for u in graph.get_json("/users", {"$top": "999", "$select": "id"})["value"]]


def test_paging_follows_next_links_through_every_page(graph) -> None:
    expected = all_user_ids(graph)
    pages = list(graph.iter_pages("/users", {"$top": "20", "$select": "id,userPrincipalName"}))
    assert len(pages) >= 3 and all(len(p) <= 20 for p in pages)
    assert [u["id"] for page in pages for u in page] == expected


def test_sdk_client_uses_configured_base_url_and_middleware(graph) -> None:
    user_id = all_user_ids(graph)[0]
    before = graph.metrics.requests
    user = graph.run(graph.client.sdk.users.by_user_id(user_id).get())
    assert user is not None and user.id == user_id
    assert graph.metrics.requests == before + 1  # it went through our counted transport


def test_get_policy_id_work_around_keeps_the_comma(graph, sim) -> None:
    name = sim.world.policy_names("TeamsCallingPolicy")[-1]
    url = policy_id_url(graph.client.settings.graph_base_url, "TeamsCallingPolicy", name)
    assert "(type='TeamsCallingPolicy',name='" in url
    broken = graph.client.sdk.admin.teams.policy.microsoft_graph_teams_administration_get_policy_id_with_type_with_name(
        name=name, type="TeamsCallingPolicy"
    )
    assert "'TeamsCallingPolicy',name=" not in broken.to_get_request_information().url  # the SDK defect
    assert graph.policy_id("TeamsCallingPolicy", name) == sim.world.policy_id("TeamsCallingPolicy", name)
    assert graph.policy_id("TeamsCallingPolicy", "No Such Policy") is None


def test_batch_splits_matches_by_id_and_keeps_inner_errors(graph) -> None:
    ids = all_user_ids(graph)[:30]
    requests = [BatchRequest(f"u{i}", f"/users/{uid}?$select=id") for i, uid in enumerate(ids)]
    requests += [BatchRequest(f"cfg{i}", f"/admin/teams/userConfigurations/{uid}") for i, uid in enumerate(ids[:10])]
    requests.append(BatchRequest("ghost", "/users/00000000-0000-0000-0000-000000000000"))
    before = graph.metrics.snapshot()
    answers = graph.batch(requests)
    assert set(answers) == {r.id for r in requests}
    assert all(answers[f"u{i}"].ok and answers[f"u{i}"].body["id"] == uid for i, uid in enumerate(ids))
    assert all(answers[f"cfg{i}"].body["value"]["id"] == uid for i, uid in enumerate(ids[:10]))
    ghost = answers["ghost"]
    assert ghost.status == 404 and isinstance(ghost.error(), GraphError)
    after = graph.metrics.snapshot()
    assert after["requests"] - before["requests"] == 3  # 41 requests -> 3 batches of <= 20
    assert after["batch_inner_requests"] - before["batch_inner_requests"] == 41


def test_batch_retries_inner_throttled_requests_after_their_retry_after(graph, sim) -> None:
    ids = all_user_ids(graph)[:40]
    sim.set_faults(rate_limit_per_s=15, burst=15)
    answers = graph.batch([BatchRequest(str(i), f"/users/{uid}?$select=id") for i, uid in enumerate(ids)])
    assert all(a.ok for a in answers.values()) and len(answers) == 40
    assert graph.metrics.inner_throttled + graph.metrics.throttled > 0


def test_batch_refuses_bad_requests_before_sending(graph) -> None:
    before = graph.metrics.requests
    with pytest.raises(ValueError, match="unique"):
        graph.batch([BatchRequest("a", "/users"), BatchRequest("a", "/users")])
    with pytest.raises(ValueError, match="relative"):
        graph.batch([BatchRequest("a", "https://elsewhere.example/users")])
    assert graph.metrics.requests == before


def test_throttled_then_success(graph, sim) -> None:
    sim.set_faults(rate_limit_per_s=3, burst=3)
    results = [graph.get_json("/users", {"$top": "1"}) for _ in range(6)]
    assert all(r["value"] for r in results)
    assert graph.metrics.throttled >= 1


def test_missing_permission_names_the_permission(graph, sim) -> None:
    sim.set_app_roles(["TeamsUserConfiguration.Read.All"])
    try:
        fresh = build_token_provider(graph.client.settings, sim.clock)
        with GraphSession(graph.client.settings, fresh) as limited, pytest.raises(PermissionDeniedError) as err:
            limited.get_json("/users", {"$top": "1"})
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))
    assert err.value.status == 403 and err.value.permission == "User.Read.All"
    assert "User.Read.All" in str(err.value) and "Bearer" not in str(err.value)


def test_token_is_not_sent_to_another_host(graph) -> None:
    with pytest.raises(GraphError, match="refusing"):
        graph.get_json("https://elsewhere.example/v1.0/users")


def test_async_client_bounds_concurrency(sim) -> None:
    settings = sim_settings(sim, HTTP_MAX_CONCURRENCY="2")

    async def run() -> int:
        async with GraphClient(settings, build_token_provider(settings, sim.clock)) as client:
            sim.set_faults(latency_ms=50)
            results = await asyncio.gather(*(client.get_json("/users", {"$top": "1"}) for _ in range(6)))
            return len(results)

    loop_time = asyncio.new_event_loop()
    try:
        started = loop_time.time()
        assert loop_time.run_until_complete(run()) == 6
        assert loop_time.time() - started >= 0.15  # 6 requests, 2 at a time, 50 ms each
    finally:
        loop_time.close()


def test_batch_in_flight_cap_sends_envelopes_one_after_another(graph, sim) -> None:
    ids = all_user_ids(graph)[:41]
    requests = [BatchRequest(f"u{i}", f"/users/{uid}?$select=id") for i, uid in enumerate(ids)]
    sim.set_faults(latency_ms=100)
    started = time.monotonic()
    answers = graph.run(graph.client.batch(requests, max_in_flight=1))
    assert time.monotonic() - started >= 0.3  # three envelopes, never two at once
    assert all(a.ok for a in answers.values()) and len(answers) == 41
