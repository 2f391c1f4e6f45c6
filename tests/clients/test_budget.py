"""The client's throttle budgets, one bucket per service as Graph counts them (issue 21): identity by
resource units, Teams by requests per second, mail by requests in flight per mailbox. Bulk reads
(`$batch` envelopes) wait for every bucket their inner requests draw on, keeping a tenth of each for
pages; plain requests (pages) never wait and are counted all the same; a 429 blocks only the buckets
of the service that sent it, for its Retry-After."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.http import RequestMetrics
from teams_sip.adapters.throttle import Draw, ServiceBudgets, graph_draws
from teams_sip.config import HttpSettings

from .conftest import sim_settings
from .scripted_graph import fixed_tokens, scripted_graph

HTTP = HttpSettings()


def _units(method: str, path: str, **query: str) -> dict[str, float]:
    return {d.name: d.units for d in graph_draws(HTTP, method, path, {"$" + k: v for k, v in query.items()})}


def test_identity_reads_are_priced_in_resource_units_by_the_documented_rule() -> None:
    assert _units("GET", "/users") == {"global": 1, "identity": 2}
    assert _units("GET", "/users", select="id")["identity"] == 1, "$select takes one off"
    assert _units("GET", "/users", select="id", top="15")["identity"] == 1, "never below 1"
    assert _units("GET", "/users", top="999")["identity"] == 2, "$top of 20 or more changes nothing"
    assert _units("GET", "/users", top="5")["identity"] == 1
    assert _units("GET", "/users/u1/licenseDetails")["identity"] == 2, "as me/licenseDetails"
    assert _units("GET", "/groups/g1/members", expand="owners")["identity"] == 4, "$expand adds one"
    assert _units("GET", "/users/u1")["identity"] == 1, "unlisted paths cost 1"


def test_teams_and_mail_reads_draw_on_their_own_buckets() -> None:
    assert _units("GET", "/admin/teams/userConfigurations", select="id") == {"global": 1, "teams-get": 1}
    assert _units("POST", "/admin/teams/policy/userAssignments/assign") == {"global": 1, "teams-other": 1}
    assert _units("GET", "/teamwork/devices") == {"global": 1, "teams-get": 1}
    assert _units("GET", "/auditLogs/signIns") == {"global": 1, "reports": 1}
    assert _units("POST", "/users/a@b.example/sendMail") == {"global": 1}, "mail is limited by concurrency"


def test_a_bucket_gives_its_burst_then_its_rate_keeping_room_for_pages() -> None:
    budgets, draw = ServiceBudgets(), Draw("teams-get", 6, 10, 10)
    assert budgets.reserve([draw], keep_share=0.1) == 0.0, "a full bucket of ten takes six"
    wait = budgets.reserve([replace(draw, units=4)], keep_share=0.1)
    assert 0.05 <= wait <= 0.11, "four more would leave none: a tenth of a second refills one"
    budgets.spend([replace(draw, units=5)])  # pages never wait: the bucket may run dry, or below
    wait = budgets.reserve([replace(draw, units=1)], keep_share=0.1)
    assert 0.2 <= wait <= 0.31, "from minus one to two tokens takes three tenths"
    time.sleep(1.2)
    assert budgets.reserve([replace(draw, units=20)], keep_share=0.1) == 0.0, "a larger ask goes alone when full"
    assert budgets.reserve([replace(draw, units=1)], keep_share=0.1) > 1.0


def test_identity_holds_its_ten_second_quota_as_burst() -> None:
    budgets = ServiceBudgets()
    identity = graph_draws(HTTP, "GET", "/users", {"$select": "id"})
    assert budgets.reserve(identity * 3000) == 0.0, "3,000 units of a 3,500 bucket go at once"
    wait = budgets.reserve(identity * 600)
    assert 0.25 <= wait <= 0.3, "600 more are 100 short: they wait for the refill at 350 units per second"


def test_a_429_blocks_only_its_own_service_for_its_retry_after() -> None:
    budgets = ServiceBudgets()
    teams = graph_draws(HTTP, "GET", "/admin/teams/userConfigurations/u1", {})
    users = graph_draws(HTTP, "GET", "/users", {"$select": "id"})
    budgets.block(teams, 0.4)
    assert 0.3 <= budgets.reserve(teams) <= 0.4, "Teams waits out the Retry-After"
    assert budgets.reserve(users) == 0.0, "users reads are not slowed"
    time.sleep(0.45)
    assert budgets.reserve(teams) == 0.0


def _fast_teams(settings: Any, per_second: float) -> Any:
    return replace(settings, http=replace(settings.http, teams_requests_per_second=per_second))


def test_envelopes_of_teams_lookups_keep_to_the_teams_rate() -> None:
    requests = [BatchRequest(f"r{n}", f"/admin/teams/userConfigurations/u{n}") for n in range(300)]  # 15 envelopes
    with scripted_graph({}) as stand_in, GraphSession(_fast_teams(stand_in.settings(), 100.0), fixed_tokens()) as s:
        s.batch(requests)
    arrivals = sorted(t for times in stand_in.arrivals.values() for t in times)
    assert arrivals[79] - arrivals[0] < 1.0, "the first four envelopes go at once (the bucket starts full)"
    assert arrivals[-1] - arrivals[0] >= 1.9, "the rest no faster than the bucket refills: (300 - 90) / 100 s"


def test_users_lookups_are_not_held_by_the_teams_rate() -> None:
    requests = [BatchRequest(f"r{n}", f"/users?$filter=id eq 'u{n}'&$select=id") for n in range(300)]
    with scripted_graph({}) as stand_in, GraphSession(_fast_teams(stand_in.settings(), 1.0), fixed_tokens()) as s:
        started = time.monotonic()
        s.batch(requests)
        assert time.monotonic() - started < 1.5, "300 units of a 3,500-unit identity bucket go at once"


def test_inner_429s_are_resent_after_their_own_retry_after_and_counted() -> None:
    slow = {f"r{n}": [(429, {"Retry-After": "0.6"})] for n in range(5)}
    with scripted_graph(slow) as stand_in, GraphSession(stand_in.settings(), fixed_tokens()) as session:
        answers = session.batch([BatchRequest(f"r{n}", f"/admin/teams/userConfigurations/u{n}") for n in range(10)])
        assert all(a.ok for a in answers.values())
        assert session.metrics.throttles("teams") == 5, "each inner 429 counted under its service"
        assert session.metrics.budgets.tokens("identity") is None, "no identity bucket was touched"
    for n in range(5):
        first, second = stand_in.arrivals[f"r{n}"]
        assert second - first >= 0.6, "the Retry-After is honoured"


def test_pages_wait_only_for_an_empty_bucket_and_are_counted(sim: Any) -> None:
    settings = _fast_teams(sim_settings(sim), 4.0)  # a slow refill shows the arithmetic plainly
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        session.get_json("/users", {"$top": "1"})  # the token, fetched first (an identity read)
        started = time.monotonic()
        for _ in range(8):
            session.get_json("/admin/teams/userConfigurations", {"$top": "1"})
        assert time.monotonic() - started >= 0.9, "four on the full bucket, then a quarter second each"
        teams = graph_draws(settings.http, "GET", "/admin/teams/userConfigurations", {})
        assert session.metrics.budgets.reserve(teams, keep_share=0.1) > 0, "the pages were counted: bulk waits"


def _eight_mails(sim: Any, **over: str) -> tuple[dict[str, Any], float]:
    """Eight mails from one mailbox at once, 150 ms of latency each, against the documented limits."""
    sim.set_faults(throttling="documented", latency_ms=150)
    sim.reset_stats()
    settings = sim_settings(sim, HTTP_MAX_CONCURRENCY="16", **over)  # the bound per mailbox, not the client's
    sender = sim.scenario.users[0].upn
    mail = {"message": {"subject": "s", "body": {"contentType": "Text", "content": "c"},
                        "toRecipients": [{"emailAddress": {"address": sender}}]}, "saveToSentItems": False}
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        session.get_json("/users", {"$top": "1"})  # the token first

        async def eight() -> None:
            client = session.client
            await asyncio.gather(*(client.post_json(f"/users/{sender}/sendMail", mail) for _ in range(8)),
                                 return_exceptions=True)

        started = time.monotonic()
        session.run(eight())
        return sim.stats()["services"], time.monotonic() - started


def test_mail_keeps_to_four_requests_in_flight_per_mailbox(sim: Any) -> None:
    services, elapsed = _eight_mails(sim)
    assert "outlook-concurrency" not in services, "the simulator never saw a fifth in flight"
    assert elapsed >= 0.3, "eight mails, four at a time, 150 ms each: two rounds at least"


def test_a_client_ignoring_the_mailbox_limit_is_throttled(sim: Any) -> None:
    services, _ = _eight_mails(sim, GRAPH_MAIL_CONCURRENCY_PER_MAILBOX="8")
    assert services["outlook-concurrency"]["throttled"] >= 1


def test_metrics_count_429s_by_service() -> None:
    metrics = RequestMetrics()
    metrics.record_throttle("teams")
    assert (metrics.throttles("teams"), metrics.throttles("identity")) == (1, 0)
