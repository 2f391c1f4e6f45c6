"""The benchmarks' simulated tenant in a process of its own answers and is steered like the in-process
one: the same connection settings reach it, faults and statistics cross the pipe, and its clock and
the benchmark's copy move together."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from bench.tenant_process import TenantProcess
from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.simulator import Scenario

pytestmark = pytest.mark.process  # the tenant is a child process (multiprocessing spawn, not Popen)


def test_a_tenant_in_its_own_process_serves_the_client_and_is_steered_over_the_pipe() -> None:
    with TenantProcess(Scenario.generate(40, seed=3)) as sim:
        wiring = build_wiring(settings_from_values(sim.values), clock=sim.clock, in_memory=True)
        try:
            sim.set_faults(latency_ms=5, throttling="documented")
            sim.reset_stats()
            users = wiring.graph.get_json("/users", {"$select": "id", "$top": "999"})
            assert len(users["value"]) == 40
            stats = sim.stats()
            assert stats["requests"]["GET /v1.0/users"] == 1 and stats["totalRequests"] >= 1
            before = sim.clock.now()
            assert sim.call("advance", timedelta(0)) == before, "the copy starts where the tenant's clock is"
            sim.clock.advance(timedelta(minutes=10))
            assert sim.call("advance", timedelta(0)) == sim.clock.now() == before + timedelta(minutes=10)
            assert sim.snapshots_created() == 0
            assert sim._process.pid != os.getpid()
        finally:
            wiring.close()
    assert not sim._process.is_alive(), "leaving the block stops the child"
