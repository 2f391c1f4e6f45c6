"""GraphDirectory's whole-tenant listings of Teams configurations and of users: the same facts as
per-user reads, fewer requests for a large share of the tenant, run alongside the user reads."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.config_reads import RunningListing
from teams_sip.adapters.graph.directory import GraphDirectory, listing_is_cheaper, user_listing_is_cheaper
from teams_sip.domain.eligibility import Lookup, UserFacts
from teams_sip.errors import TeamsSipError
from teams_sip.simulator import Scenario, SimulatedTenant, recording
from tests.eligibility.conftest import Stack, sim_settings


def read(stack: Stack, directory: GraphDirectory, upns: list[str]) -> dict[str, UserFacts]:
    facts: dict[str, UserFacts] = stack.session.run(directory.read_users(upns))
    return facts


def test_listing_is_chosen_by_pages_against_roster_size() -> None:
    assert listing_is_cheaper(5000, 1000)  # 50 pages < 1,000 inner requests
    assert not listing_is_cheaper(5000, 40)
    assert not listing_is_cheaper(None, 150) and listing_is_cheaper(None, 151)
    # 100 pages one after another (~10 s) are fewer requests than 174 lookups, but slower than them
    # (~5.8 s at Teams' documented 30 requests/s)
    assert not listing_is_cheaper(10_000, 174)
    assert listing_is_cheaper(10_000, 300) and not listing_is_cheaper(10_000, 299)
    assert listing_is_cheaper(10_000, 999, lookups_per_s=100) is False, "a faster budget favours lookups"


def test_listing_gives_the_same_facts_as_per_user_reads(stack: Stack, scenario: Scenario) -> None:
    upns = [u.upn for u in scenario.users] + ["nobody@contoso.example"]
    per_user = read(stack, stack.directory, upns)
    stack.sim.reset_stats()
    listed = read(stack, GraphDirectory(stack.session.client, tenant_users=len(scenario.users)), upns)
    assert listed == per_user
    assert listed["nobody@contoso.example"].lookup is Lookup.NOT_FOUND
    assert sum(1 for f in listed.values() if f.teams is not None) == len(scenario.users)
    requests = stack.sim.stats()["requests"]
    assert stack.sim.stats()["innerBatchRequests"] == 2  # 18 UPNs in two filtered lookups, no probe
    assert sum(n for name, n in requests.items() if "userConfiguration" in name) == 1  # one page


def test_listing_that_is_refused_leaves_every_user_with_the_reason(stack: Stack, scenario: Scenario) -> None:
    stack.sim.set_app_roles(["User.Read.All", "TeamsPolicy.Read.All"])
    facts = read(stack, GraphDirectory(stack.session.client, tenant_users=1), [u.upn for u in scenario.users])
    found = [f for f in facts.values() if f.lookup is Lookup.FOUND]
    assert found and all(f.teams is None and "TeamsUserConfiguration.Read.All" in (f.teams_error or "") for f in found)
    assert all(f.licences is not None for f in found)  # licences still read


@pytest.mark.faults
def test_listing_runs_alongside_the_user_lookups(stack: Stack, scenario: Scenario) -> None:
    upns = [u.upn for u in scenario.users]
    directory = GraphDirectory(stack.session.client, tenant_users=1)
    read(stack, directory, upns)  # warm: token and connections
    stack.sim.set_faults(latency_ms=300)
    started = time.monotonic()
    facts = read(stack, directory, upns)
    elapsed = time.monotonic() - started
    assert all(f.teams is not None for f in facts.values() if f.lookup is Lookup.FOUND)
    assert elapsed < 0.55, elapsed  # one after the other would take two latencies (>= 0.6 s)


def test_users_are_listed_only_when_the_roster_is_most_of_the_tenant() -> None:
    # the documented identity budget (350 units/s, 3,500 at once) takes 667 lookups faster than 11 pages in a row
    assert not user_listing_is_cheaper(10_000, 10_000)
    assert user_listing_is_cheaper(10_000, 10_000, lookups_per_s=50)  # a slower budget: 11 pages beat 667 lookups
    assert not user_listing_is_cheaper(10_000, 1_000, lookups_per_s=50)  # 67 lookups beat 11 pages in a row
    assert not user_listing_is_cheaper(None, 10_000) and not user_listing_is_cheaper(10, 500)


@pytest.mark.parametrize("refused", [False, True])
def test_a_listed_tenant_gives_the_same_user_facts_as_lookups(refused: bool) -> None:
    scenario = Scenario.generate(3_000, seed=4)
    upns = [u.upn for u in scenario.users[::2]] + [u.upn.upper() for u in scenario.users[1::2]] + ["nobody@x.example"]
    assert user_listing_is_cheaper(len(scenario.users), len(upns), lookups_per_s=50)
    with SimulatedTenant.start(scenario) as sim:
        settings = sim_settings(sim, GRAPH_IDENTITY_UNITS_PER_10S="500")  # 50 lookups/s: listing pays
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
            stack = Stack(sim, session, GraphDirectory(session.client), None)  # type: ignore[arg-type]
            if refused:
                sim.set_app_roles(["TeamsUserConfiguration.Read.All"])
                with pytest.raises(TeamsSipError, match=r"User\.Read\.All"):
                    read(stack, GraphDirectory(session.client, tenant_users=len(scenario.users)), upns)
                return
            sim.reset_stats()
            listed = read(stack, GraphDirectory(session.client, tenant_users=len(scenario.users)), upns)
            pages = sim.stats()["requests"]
            huge = GraphDirectory(session.client, tenant_users=10**6)  # neither listing pays off: lookups
            looked_up = read(stack, huge, upns)
    assert pages.get("GET /v1.0/users") == 4 and not any("batch:GET /v1.0/users" in k for k in pages)
    assert listed == looked_up
    assert listed["nobody@x.example"].lookup is Lookup.NOT_FOUND
    assert sum(1 for f in listed.values() if f.lookup is Lookup.FOUND) == len(scenario.users)


def _configuration_pages(stack: Stack) -> int:
    return int(stack.sim.stats()["requests"].get("GET /v1.0/admin/teams/userConfigurations", 0))


def test_a_listing_begun_ahead_is_taken_not_repeated(stack: Stack, scenario: Scenario) -> None:
    """A pass begins the listing before it knows whom it will check; the directory takes that
    listing (its pages held until the users are known) instead of asking for the tenant again."""
    upns = [u.upn for u in scenario.users] + ["nobody@contoso.example"]
    per_user = read(stack, stack.directory, upns)
    stack.sim.reset_stats()
    running = stack.session.run(RunningListing.begin(stack.session.client, 1))
    deadline = time.monotonic() + 5
    while not running.task.done() and time.monotonic() < deadline:  # the whole listing arrives before anyone asks
        time.sleep(0.01)
    assert _configuration_pages(stack) == 1
    directory = GraphDirectory(stack.session.client, tenant_users=len(scenario.users), ahead=running)
    assert read(stack, directory, upns) == per_user
    assert _configuration_pages(stack) == 1, "the listing begun ahead was used, not made again"
    assert directory.listed_chains == 1


def test_a_listing_begun_ahead_is_stopped_when_lookups_pay(stack: Stack, scenario: Scenario) -> None:
    upns = [u.upn for u in scenario.users]
    per_user = read(stack, stack.directory, upns)
    stack.sim.set_faults(latency_ms=200)  # the listing's page is still on its way when the lookups are chosen
    running = stack.session.run(RunningListing.begin(stack.session.client, 2))
    directory = GraphDirectory(stack.session.client, tenant_users=10**6, ahead=running)
    assert read(stack, directory, upns) == per_user
    assert running.task.done() and directory.listed_chains == 0


class _Timeline(recording.GraphRecorder):
    """When each answer was made (server side), for the order in which requests were served."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str, bool]] = []

    def record(self, answer: recording.GraphAnswer) -> None:
        self.times.append((time.monotonic(), answer.path + "?" + answer.query, answer.inner))


def _first(timeline: _Timeline, text: str) -> float:
    return min(t for t, where, _ in timeline.times if text in where)


def _generated_stack(users: int) -> Iterator[tuple[SimulatedTenant, GraphSession, Scenario]]:
    scenario = Scenario.generate(users, seed=5)
    with SimulatedTenant.start(scenario) as sim:
        settings = sim_settings(sim)
        session = GraphSession(settings, build_token_provider(settings, sim.clock))
        try:
            yield sim, session, scenario
        finally:
            session.close()


def test_a_large_roster_starts_the_listing_before_the_tenant_size_answers() -> None:
    """Both page chains go out beside the `$count` probe, not a round trip after it: on a roster that
    would be listed even in a tenant its own size, waiting for the size only delays the chains."""
    for sim, session, scenario in _generated_stack(300):
        latency = 0.5
        sim.set_faults(latency_ms=latency * 1000)
        upns = [u.upn for u in scenario.users]
        directory = GraphDirectory(session.client)
        timeline = _Timeline()
        recording.install(timeline)
        try:
            facts: dict[str, UserFacts] = session.run(directory.read_users(upns))
        finally:
            recording.uninstall(timeline)
        assert directory.listed_chains == 2
        assert all(f.teams is not None for f in facts.values() if f.lookup is Lookup.FOUND)
        counted = _first(timeline, "$count=true")
        assert _first(timeline, "userConfigurations") - counted < latency / 2, "pages were asked with the probe"
        first_pages = [where for t, where, _ in timeline.times
                       if "userConfigurations" in where and t - counted < latency / 2]
        assert any("desc" in where for where in first_pages), "the descending chain did not wait either"


def test_a_listing_begun_beside_the_probe_is_stopped_when_the_size_favours_lookups() -> None:
    roster = 110
    for sim, session, scenario in _generated_stack(4000):
        assert listing_is_cheaper(roster, roster) and not listing_is_cheaper(len(scenario.users), roster)
        upns = [u.upn for u in scenario.users[:roster]]
        per_user = session.run(GraphDirectory(session.client, tenant_users=len(scenario.users)).read_users(upns))
        sim.set_faults(latency_ms=50)
        sim.reset_stats()
        directory = GraphDirectory(session.client)
        assert session.run(directory.read_users(upns)) == per_user
        assert directory.listed_chains == 0
        pages = int(sim.stats()["requests"].get("GET /v1.0/admin/teams/userConfigurations", 0))
        assert pages <= 4, f"{pages} pages: the listing begun with the probe was not stopped when it lost"
        assert sim.stats()["innerBatchRequests"] >= roster, "the configurations came from lookups"

        sim.reset_stats()  # a roster of a page or less waits for the size: no listing is begun on a guess
        session.run(GraphDirectory(session.client).read_users(upns[:60]))
        assert int(sim.stats()["requests"].get("GET /v1.0/admin/teams/userConfigurations", 0)) == 0
