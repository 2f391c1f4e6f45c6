"""A simulated tenant with configuration snapshots, and the real snapshot adapter pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.config_snapshots import GraphConfigurationSnapshots
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.service.config_snapshots import SnapshotPolicies
from teams_sip.service.snapshot_cache import SnapshotCache
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.scenario import SnapshotSwitches
from tests.eligibility.conftest import sim_settings


@dataclass
class SnapStack:
    sim: SimulatedTenant
    client: GraphConfigurationSnapshots
    store: MemoryStateStore
    source: SnapshotPolicies

    def advance(self, minutes: float) -> None:
        self.sim.clock.advance(timedelta(minutes=minutes))

    @property
    def jobs_created(self) -> int:
        return self.sim.world.config_snapshots.created

    @property
    def jobs_kept(self) -> int:
        return len(self.sim.world.config_snapshots.jobs)


Start = Callable[..., SnapStack]


def base_scenario() -> Scenario:
    return Scenario.generate(users=24, seed=3)


@pytest.fixture
def start_stack() -> Iterator[Start]:
    exits = ExitStack()

    def start(roles: tuple[str, ...] | None = None, **switches: Any) -> SnapStack:
        scenario = base_scenario()
        scenario = replace(scenario, snapshots=replace(SnapshotSwitches(), **switches))
        if roles is not None:
            scenario = replace(scenario, app=replace(scenario.app, roles=roles))
        sim = exits.enter_context(SimulatedTenant.start(scenario))
        settings = sim_settings(sim)
        client = GraphConfigurationSnapshots(settings, build_token_provider(settings, sim.clock))
        exits.callback(client.close)
        store = MemoryStateStore()
        return SnapStack(sim, client, store, SnapshotPolicies(client, SnapshotCache(store), sim.clock))

    with exits:
        yield start
