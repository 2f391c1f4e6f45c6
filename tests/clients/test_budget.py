"""The app's request budget on the client side: `$batch` envelopes wait while the last second's
requests would pass their share of HTTP_REQUESTS_PER_SECOND; plain requests (the pages of a
listing) never wait for it."""

from __future__ import annotations

import time

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.client import BULK_SHARE
from teams_sip.adapters.http import RequestMetrics
from teams_sip.unverified import APP_REQUESTS_PER_S

from .conftest import sim_settings
from .scripted_graph import fixed_tokens, scripted_graph

BULK_PER_S = BULK_SHARE * APP_REQUESTS_PER_S  # HTTP_REQUESTS_PER_SECOND's default


def test_a_reservation_waits_until_the_oldest_sends_leave_the_last_second() -> None:
    metrics = RequestMetrics()
    assert metrics.reserve(6, 10) == 0.0
    metrics.spend(4)  # a plain request never waits: it is counted all the same
    wait = metrics.reserve(3, 10)
    assert 0.9 <= wait <= 1.0, "the first six must leave the window before three more fit"
    time.sleep(wait + 0.01)
    assert metrics.reserve(3, 10) == 0.0
    assert metrics.reserve(20, 10) > 0, "more than the budget waits for an empty window..."
    time.sleep(1.01)
    assert metrics.reserve(20, 10) == 0.0, "...and then goes alone"


def test_envelopes_keep_below_the_budget_while_plain_requests_go_at_once() -> None:
    units = int(BULK_PER_S) // 20 * 20  # whole envelopes that fit in one second
    requests = [BatchRequest(f"r{n}", f"/users/u{n}") for n in range(units + 20)]
    with scripted_graph({}) as stand_in, GraphSession(stand_in.settings(), fixed_tokens()) as session:
        started = time.monotonic()
        answers = session.batch(requests)
        assert all(a.ok for a in answers.values())
        arrivals = sorted(t for times in stand_in.arrivals.values() for t in times)
        late = [t for t in arrivals if t - started >= 0.9]
        assert len(late) == 20, "the envelope past the budget waited for the first second to pass"


def test_with_the_last_second_full_a_page_goes_at_once_and_an_envelope_waits(sim) -> None:
    settings = sim_settings(sim)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        session.get_json("/users", {"$top": "1"})  # the token, fetched first
        time.sleep(1.0)  # an empty last second
        session.get_json("/users", {"$top": "1"})
        session.get_json("/users", {"$top": "1"})
        assert session.metrics.reserve(int(BULK_PER_S) - 1, BULK_PER_S) > 0, "the two pages were counted"
        session.metrics.spend(int(BULK_PER_S))
        sent = time.monotonic()
        session.get_json("/users", {"$top": "1"})
        assert time.monotonic() - sent < 0.5, "a page is never held back by the budget"
        session.batch([BatchRequest("late", "/users?$top=1")])
        assert time.monotonic() - sent >= 0.9, "an envelope waits for room"
