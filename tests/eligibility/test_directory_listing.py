"""GraphDirectory's whole-tenant listing of Teams configurations: the same facts as per-user reads,
fewer requests for a large share of the tenant, run alongside the user lookups rather than after."""

from __future__ import annotations

import time

import pytest

from teams_sip.adapters.graph.directory import GraphDirectory, listing_is_cheaper
from teams_sip.domain.eligibility import Lookup, UserFacts
from teams_sip.simulator import Scenario
from tests.eligibility.conftest import Stack


def read(stack: Stack, directory: GraphDirectory, upns: list[str]) -> dict[str, UserFacts]:
    facts: dict[str, UserFacts] = stack.session.run(directory.read_users(upns))
    return facts


def test_listing_is_chosen_by_pages_against_roster_size() -> None:
    assert listing_is_cheaper(5000, 1000)  # 50 pages < 1,000 inner requests
    assert not listing_is_cheaper(5000, 40)
    assert not listing_is_cheaper(None, 150) and listing_is_cheaper(None, 151)
    # 100 pages one after another (~10 s) are fewer requests than 174 lookups, but slower than them (~2 s)
    assert not listing_is_cheaper(10_000, 174)
    assert listing_is_cheaper(10_000, 1_000) and not listing_is_cheaper(10_000, 999)


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
