"""A whole-tenant listing of Teams configurations raced by lookups of the users it has not reached
yet: the same facts as lookups alone, the listing stopped early when its pages come in the order it
asked for, and no lookups wasted when the service sorts otherwise or refuses to sort."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph import config_reads
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.client import GraphClient
from teams_sip.adapters.graph.config_reads import TenantListing, look_up_each, race_listing
from teams_sip.domain.eligibility import Lookup, UserFacts
from teams_sip.simulator import Scenario, SimulatedTenant
from tests.eligibility.conftest import sim_settings

PAGES = "GET /v1.0/admin/teams/userConfigurations"
LOOKUPS = "batch:GET /v1.0/admin/teams/userConfigurations/{id}"
TENANT = 2_000


@pytest.fixture(scope="module")
def tenant() -> Iterator[tuple[SimulatedTenant, GraphSession]]:
    with SimulatedTenant.start(Scenario.generate(TENANT, seed=5)) as sim:
        settings = sim_settings(sim, HTTP_REQUESTS_PER_SECOND="100000")  # the race itself, not the budget
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
            yield sim, session


def _roster(sim: SimulatedTenant) -> dict[str, UserFacts]:
    """Every other user of the tenant, as the user reads would have found them, and one the directory
    knows that Teams has no configuration for (it sorts first: the listing passes it at once)."""
    users = sim.scenario.users[::2]
    found = {u.upn.casefold(): UserFacts(u.upn, Lookup.FOUND, user_id=u.id) for u in users}
    return found | {"new@x.example": UserFacts("new@x.example", Lookup.FOUND, user_id="00000000-0000-0000-0000-0")}


async def _race(client: GraphClient, found: dict[str, UserFacts], per_second: float) -> dict[str, dict[str, Any]]:
    listing = TenantListing(client)
    running = asyncio.create_task(listing.run())
    try:
        return await race_listing(client, listing, found, lanes=3, per_second=per_second)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


def _run(sim: SimulatedTenant, session: GraphSession, per_second: float) -> tuple[dict[str, Any], dict[str, int]]:
    found = _roster(sim)
    sim.set_faults(latency_ms=20)
    sim.reset_stats()
    try:
        answers = session.run(_race(session.client, found, per_second))
        requests = dict(sim.stats()["requests"])
    finally:
        sim.set_faults(latency_ms=0)
    return answers, requests


@pytest.fixture(scope="module")
def looked_up(tenant: tuple[SimulatedTenant, GraphSession]) -> dict[str, dict[str, Any]]:
    sim, session = tenant
    answers: dict[str, dict[str, Any]] = session.run(look_up_each(session.client, _roster(sim), 3))
    return answers


def test_lookups_from_the_far_end_stop_the_ordered_listing_early(tenant, looked_up) -> None:
    sim, session = tenant
    answers, requests = _run(sim, session, per_second=2_000)
    assert answers == looked_up
    assert answers["new@x.example"] == {"teams_error": config_reads.NO_CONFIGURATION}
    assert requests[PAGES] < TENANT // 100  # met in the middle: not every page was needed
    assert requests[LOOKUPS] < len(answers)


@pytest.mark.parametrize(("order", "refused"), [("userPrincipalName", False), ("accountType", True)])
def test_a_listing_out_of_the_asked_order_is_read_to_the_end_without_lookups(
    tenant, looked_up, monkeypatch: pytest.MonkeyPatch, order: str, refused: bool
) -> None:
    """Sorted by something else (the simulator sorts by UPN), or the order refused (it does not sort
    by accountType): no lookups, since the first page shows the order does not hold, and the
    descending chain stops after its first page."""
    monkeypatch.setattr(config_reads, "LISTING_ORDER", order)
    sim, session = tenant
    answers, requests = _run(sim, session, per_second=2_000)
    assert answers == looked_up
    # every page of the ascending chain, the first of the descending one, and the two refused requests
    assert requests[PAGES] == TENANT // 100 + (2 if refused else 1)
    assert LOOKUPS not in requests  # they wait for a page to show the order


def test_lookups_slow_down_when_throttled_and_recover_when_not() -> None:
    pace = config_reads.LookupPace(80.0)
    pace.after(throttled=True)
    pace.after(throttled=True)
    assert pace.per_second == 20.0
    for _ in range(10):
        pace.after(throttled=True)
    assert pace.per_second == 5.0  # never below a sixteenth: the listing may still need the help
    for _ in range(40):
        pace.after(throttled=False)
    assert pace.per_second == 80.0  # back up, never above what was asked for


def test_lookups_take_only_the_teams_budget_the_pages_leave() -> None:
    """Under a budget of requests a page of 100 users is worth a hundred lookups (issue 21)."""
    assert config_reads.spare_lookups(30.0, 80.0, ceiling=21.0) == 0.0, "fast pages use the whole budget"
    assert config_reads.spare_lookups(30.0, 7.0, ceiling=21.0) == 20.0, "slow pages leave the rest (90% of it)"
    assert config_reads.spare_lookups(1000.0, 7.0, ceiling=21.0) == 21.0, "never above the ceiling asked for"
    pace = config_reads.LookupPace(20.0)
    pace.cap(0.0)
    assert pace.per_second == 0.0
    pace.cap(16.0)
    assert pace.per_second == 1.0, "back up from a sixteenth of the new ceiling"
