"""The app's request budget on the client side, as the service counts it (a bucket holding one
second of requests): `$batch` envelopes wait while taking their share would leave less than the rest
for pages; plain requests (the pages of a listing) never wait, and are counted all the same."""

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

KEEP = (1 - BULK_SHARE) * APP_REQUESTS_PER_S  # what bulk reads leave for pages, at the default budget


def test_a_reservation_keeps_room_and_waits_for_the_bucket_to_refill() -> None:
    metrics = RequestMetrics()
    assert metrics.reserve(6, 10, keep=1) == 0.0, "a full bucket of ten takes six"
    wait = metrics.reserve(4, 10, keep=1)
    assert 0.05 <= wait <= 0.11, "four more would leave none: a tenth of a second refills one"
    metrics.spend(5)  # pages never wait: the bucket may run dry, or below, for them
    wait = metrics.reserve(1, 10, keep=1)
    assert 0.2 <= wait <= 0.31, "from minus one to two tokens takes three tenths"
    time.sleep(wait + 0.01)
    assert metrics.reserve(1, 10, keep=1) == 0.0
    time.sleep(1.01)
    assert metrics.reserve(20, 10, keep=1) == 0.0, "more than the bucket holds goes alone when it is full"
    assert metrics.reserve(1, 10, keep=1) > 1.0, "and then everything waits for the refill"


def test_envelopes_use_the_burst_then_keep_to_the_rate() -> None:
    requests = [BatchRequest(f"r{n}", f"/users/u{n}") for n in range(300)]  # 15 envelopes
    with scripted_graph({}) as stand_in, GraphSession(stand_in.settings(), fixed_tokens()) as session:
        session.batch(requests)
    arrivals = sorted(t for times in stand_in.arrivals.values() for t in times)
    assert arrivals[79] - arrivals[0] < 0.5, "the first four envelopes go at once (the bucket starts full)"
    assert arrivals[-1] - arrivals[0] >= 1.9, "the rest no faster than the budget refills: (300 - 90) / 100 s"


def test_pages_go_at_once_with_the_bucket_empty_and_are_counted(sim) -> None:
    settings = sim_settings(sim, HTTP_REQUESTS_PER_SECOND="1")  # a slow refill shows the arithmetic plainly
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
        session.get_json("/users", {"$top": "1"})  # the token, fetched first
        session.batch([BatchRequest("first", "/users?$top=1")])  # a full bucket of one, now empty
        sent = time.monotonic()
        session.get_json("/users", {"$top": "1"})
        session.get_json("/users", {"$top": "1"})
        assert time.monotonic() - sent < 0.5, "pages are never held back by the budget"
        assert session.metrics.reserve(1, 1.0, keep=0.1) > 2.5, "the two pages were counted: a bulk read waits"
