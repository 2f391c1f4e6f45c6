"""What the client stack resends: a `$batch` of GETs after a 503 (it changes nothing), never a
write after a 503, anything after a 429; and each throttled inner request after its OWN Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.errors import GraphError

from .conftest import sim_settings
from .scripted_graph import fixed_tokens, scripted_graph

pytestmark = pytest.mark.faults

ASSIGN = "/admin/teams/policy/userAssignments/assign"


def outer_503s(sim: Any) -> int:
    return int(sim.stats()["requests"].get("fault:503", 0))


@pytest.fixture
def graph(sim):
    settings = sim_settings(sim, HTTP_MAX_RETRIES="2")
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        session.get_json("/users", {"$top": "1"})  # token fetched before any fault is switched on
        yield session


def test_batch_of_gets_is_resent_whole_after_503(graph, sim) -> None:
    ids = [u["id"] for u in graph.get_json("/users", {"$top": "3", "$select": "id"})["value"]]
    sim.reset_stats()
    sim.set_faults(error_503=1.0)
    answers = graph.batch([BatchRequest(str(n), f"/users/{uid}") for n, uid in enumerate(ids)])
    assert outer_503s(sim) == 3  # first try + HTTP_MAX_RETRIES resends, all shed by the envelope fault
    assert {a.status for a in answers.values()} == {503} and set(answers) == {"0", "1", "2"}


def test_batch_with_a_write_is_not_resent_after_503(graph, sim) -> None:
    sim.reset_stats()
    sim.set_faults(error_503=1.0)
    write = BatchRequest("a0", ASSIGN, method="POST", body={"value": []})
    answers = graph.batch([BatchRequest("r0", "/users?$top=1"), write])
    assert outer_503s(sim) == 1
    assert answers["a0"].status == 503 and not answers["a0"].ok


def test_plain_post_is_resent_after_503_only_when_marked_idempotent(graph, sim) -> None:
    sim.reset_stats()
    sim.set_faults(error_503=1.0)
    with pytest.raises(GraphError):
        graph.post_json(ASSIGN, {"value": []})
    assert outer_503s(sim) == 1
    with pytest.raises(GraphError):
        graph.post_json(ASSIGN, {"value": []}, idempotent=True)
    assert outer_503s(sim) == 1 + 3


def test_throttled_post_is_resent_after_its_retry_after(graph, sim) -> None:
    sim.set_faults(rate_limit_per_s=2, burst=1)
    graph.get_json("/users", {"$top": "1"})  # spends the only token: the POST below is throttled first
    before = graph.metrics.throttled
    with pytest.raises(GraphError) as refused:
        graph.post_json(ASSIGN, {"value": []})  # not idempotent, yet a 429 means nothing was done
    assert graph.metrics.throttled > before
    assert refused.value.status == 400  # the resend got through to the handler, which judged the body


def test_each_inner_request_waits_for_its_own_retry_after() -> None:
    scripts = {"quick": [(429, {"Retry-After": "0.05"})], "slow": [(429, {"Retry-After": "0.6"})]}
    with scripted_graph(scripts) as stand_in, GraphSession(stand_in.settings(), fixed_tokens()) as session:
        answers = session.batch([BatchRequest("quick", "/users/a"), BatchRequest("slow", "/users/b"),
                                 BatchRequest("plain", "/users/c")])
    assert all(a.ok for a in answers.values())
    quick, slow = stand_in.arrivals["quick"], stand_in.arrivals["slow"]
    assert len(quick) == len(slow) == 2 and len(stand_in.arrivals["plain"]) == 1
    assert 0.05 <= quick[1] - quick[0] < 0.4  # not held back by the other request's 0.6 s
    assert slow[1] - slow[0] >= 0.6
    assert stand_in.envelopes == 3  # the two waits travel in separate envelopes
