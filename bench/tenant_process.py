"""The simulated tenant served from a process of its own, for benchmarks that judge the client's time.

In the benchmark's own process the simulator's work (building and encoding every page) shares one
interpreter lock with the client it serves, so the client's round trips grow by the server's CPU:
Graph does not run on the caller's machine. A child process has the other core. The benchmark talks
to it over HTTPS like any client and steers it (faults, statistics, clock) over a pipe; `clock` is a
copy of the tenant's clock that moves with it, for the service objects the benchmark builds.
"""

from __future__ import annotations

import multiprocessing
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

from teams_sip.domain.clock import ManualClock
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.connection import settings_values


def _serve(scenario: Scenario, pipe: Connection) -> None:
    with SimulatedTenant.start(scenario) as sim:
        pipe.send((settings_values(sim, provisioning_mode="assisted"), sim.clock.now()))
        while True:
            command, argument = pipe.recv()
            if command == "stop":
                pipe.send(None)
                return
            if command == "set_faults":
                sim.set_faults(**argument)
                pipe.send(None)
            elif command == "reset_stats":
                sim.reset_stats()
                pipe.send(None)
            elif command == "stats":
                pipe.send(sim.stats())
            elif command == "advance":
                pipe.send(sim.clock.advance(argument))
            elif command == "snapshots_created":
                pipe.send(sim.world.config_snapshots.created)
            else:
                pipe.send(ValueError(f"unknown command {command!r}"))


class _MirroredClock(ManualClock):
    """The benchmark's copy of the tenant's clock: advancing it advances the tenant's too."""

    def __init__(self, start: datetime, tenant: TenantProcess) -> None:
        super().__init__(start)
        self._tenant = tenant

    def advance(self, delta: timedelta) -> datetime:
        self._tenant.call("advance", delta)
        return super().advance(delta)


class TenantProcess:
    """A SimulatedTenant in a child process; `values` are the settings that reach it."""

    def __init__(self, scenario: Scenario) -> None:
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(target=_serve, args=(scenario, child),
                                                                     daemon=True)
        self._process.start()
        self.values: dict[str, str]
        self.values, start = self._pipe.recv()
        self.clock = _MirroredClock(start, self)

    def call(self, command: str, argument: Any = None) -> Any:
        self._pipe.send((command, argument))
        answer = self._pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def set_faults(self, **changes: Any) -> None:
        self.call("set_faults", changes)

    def reset_stats(self) -> None:
        self.call("reset_stats")

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = self.call("stats")
        return stats

    def snapshots_created(self) -> int:
        created: int = self.call("snapshots_created")
        return created

    def __enter__(self) -> TenantProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("stop")
        finally:
            self._process.join(10)
            if self._process.is_alive():
                self._process.kill()
