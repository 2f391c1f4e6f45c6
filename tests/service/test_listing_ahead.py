"""A pass begins the whole-tenant configuration listing as it starts when the last pre-flight listed
the tenant or an import named many users, and stops it (and forgets the mark) when nobody turns out
to be due."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from teams_sip.adapters.graph.ahead import listed_chains
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.service.device_store import StoredDevice
from teams_sip.service.rollout import Rollout
from teams_sip.service.roster_store import RosterRow
from tests.reliability.harness import World, handsets, roster_csv, world

LISTING = "GET /v1.0/admin/teams/userConfigurations"


def _pages(w: World) -> int:
    return int(w.sim.stats()["requests"].get(LISTING, 0))


@pytest.fixture
def rollout(tmp_path: Path) -> Iterator[tuple[World, Rollout]]:
    fleet = handsets(200)  # above 150 users the tenant is listed (the simulator answers no $count)
    with world(tmp_path, fleet) as w:
        wiring = w.wiring(MemoryStateStore())
        made = Rollout(wiring)
        try:
            assert made.import_file(roster_csv(fleet), "fleet.csv", actor="admin", correlation_id="t").import_id
            yield w, made
        finally:
            wiring.close()


def test_the_listing_starts_before_the_pass_reads_its_roster(rollout: tuple[World, Rollout]) -> None:
    w, made = rollout
    assert listed_chains(made.ports.store) == 2, "200 users imported: the next pass lists the tenant"
    w.sim.reset_stats()
    read = made.roster.current
    seen_first: list[int] = []

    def roster_after_a_page() -> list[RosterRow]:
        deadline = time.monotonic() + 5
        while _pages(w) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen_first.append(_pages(w))
        return read()

    made.roster.current = roster_after_a_page  # type: ignore[method-assign]
    outcome = made.run_pass(actor="t")  # the upload pass: everyone is checked for the first time
    assert seen_first and seen_first[0] > 0, "a listing page was asked for before the roster was read"
    assert outcome.ran and 0 < _pages(w) <= 4, "the listing begun ahead is the pass's only listing"
    assert len(made.verdicts.all()) == 200
    assert all(v.verdict.value == "eligible" for v in made.verdicts.all().values())
    assert listed_chains(made.ports.store) == 2, "the pre-flight listed the tenant from both ends"


def test_an_import_of_a_few_users_expects_no_listing(tmp_path: Path) -> None:
    fleet = handsets(20)
    with world(tmp_path, fleet) as w:
        wiring = w.wiring(MemoryStateStore())
        try:
            made = Rollout(wiring)
            assert made.import_file(roster_csv(fleet), "fleet.csv", actor="admin", correlation_id="t").import_id
            assert listed_chains(wiring.store) == 0, "the pass judges 20 users itself: nothing begun ahead"
            assert made.run_pass(actor="t").ran and len(made.verdicts.all()) == 20
        finally:
            wiring.close()


def test_a_pass_with_nobody_due_stops_the_listing_and_forgets_the_mark(rollout: tuple[World, Rollout]) -> None:
    w, made = rollout
    made.run_pass(actor="t")
    w.sim.set_faults(latency_ms=200)
    w.sim.reset_stats()
    read = made.devices.all

    def slow_records(where: Mapping[str, str] | None = None) -> Iterator[StoredDevice]:
        time.sleep(1)  # a second of local reads: a listing left running goes on meanwhile
        return read(where)

    made.devices.all = slow_records  # type: ignore[method-assign]
    made.run_pass(actor="t")  # everyone eligible already: nobody is due
    assert _pages(w) <= 2, "at most the first page of each chain before the pass stopped them"
    assert listed_chains(made.ports.store) == 0
    w.sim.reset_stats()
    made.run_pass(actor="t")
    assert _pages(w) == 0, "without the mark nothing is begun"


def test_a_pass_that_checks_nobody_begins_nothing(rollout: tuple[World, Rollout]) -> None:
    w, made = rollout
    made.run_pass(actor="t")
    w.sim.reset_stats()
    made.run_pass(actor="t", check_users=False)
    assert _pages(w) == 0 and listed_chains(made.ports.store) == 2
