"""Passes at once on ONE service object, as one Functions worker runs them (issue 18): the queue
trigger takes up to four work items together (host.json batchSize 4), and an admin's "Run now"
may arrive meanwhile. Everything a pass owns (its leases and their fence, its correlation id, its
traffic counters) must be its own: a pass that loses its lease stops, alone, and every Teams call
of the others is fenced by their own lease.

Which fence a call carries is read from the store: a fence renews the pass's leases right before
the call, in the calling thread, so the store wrapper notes each lease renewed per thread and the
port wrapper collects what was renewed during each call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.pass_leases import PASS_LEASE, site_lease
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import LEASE_PARTITION, LEASE_TABLE, Entity
from teams_sip.service.rollout import PassOutcome, Rollout
from teams_sip.service.roster_store import ROWS_TABLE
from tests.reliability import harness
from tests.reliability.harness import (
    Handset,
    World,
    WrappedRollout,
    handsets,
    logs_hold_no_secrets,  # noqa: F401 - the leak scan (pytestmark)
    roster_csv,
    world,
)

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("logs_hold_no_secrets")]

SITES = ("Lyon Plant", "Oslo Depot", "Lisbon Yard", "Turin Works")
PASS_THREAD = "pass-"


class FenceWatch(SqliteStateStore):
    """The real SQLite store, noting per thread which lease each write of the lease table names, and
    holding each pass thread at its first roster read until `parties` passes got there (so every
    pass holds its leases before any of them plans: the old shared fence is then always the last
    one set)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.local = threading.local()
        self.start: threading.Barrier | None = None

    def renewed(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = getattr(self.local, "renewed", [])
        self.local.renewed = []
        return found

    def replace(self, entity: Entity, data: Mapping[str, Any]) -> Entity:
        written = super().replace(entity, data)
        if entity.table == LEASE_TABLE:
            if not hasattr(self.local, "renewed"):
                self.local.renewed = []
            self.local.renewed.append((entity.row_key, str(data["owner"])))
        return written

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        me = threading.current_thread()
        if (table == ROWS_TABLE and self.start is not None and me.name.startswith(PASS_THREAD)
                and not getattr(self.local, "started", False)):
            self.local.started = True
            self.start.wait(30)
        return super().query(table, partition_key, where)


@dataclass
class Calls:
    """What reached Teams: per call the devices it named and the leases its fence renewed."""

    store: FenceWatch
    by_site: dict[str, str]  # hardware id -> site
    seen: list[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = field(default_factory=list)
    parked: threading.Barrier | None = None  # each pass thread waits here at its first Teams call
    before_teams: Callable[[], None] = lambda: None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, port: ProvisioningPort) -> ProvisioningPort:
        return _Watched(port, self)

    def note(self, name: str, ids: Sequence[str], renewed: list[tuple[str, str]]) -> None:
        with self.lock:
            self.seen.append((name, tuple(ids), tuple(renewed)))


class _Watched:
    def __init__(self, inner: ProvisioningPort, calls: Calls) -> None:
        self.inner, self.calls = inner, calls

    def _enter(self) -> None:
        local = self.calls.store.local
        if self.calls.parked is not None and not getattr(local, "parked", False):
            local.parked = True
            self.calls.parked.wait(30)
            with self.calls.lock:
                self.calls.before_teams()
        self.calls.store.renewed()  # forget renewals made before this call

    def register(self, devices: Sequence[Any]) -> Any:
        self._enter()
        answer = self.inner.register(devices)
        self.calls.note("register", [d.hardware_id for d in devices], self.calls.store.renewed())
        return answer

    def issue_codes(self, hardware_ids: Sequence[str]) -> Any:
        self._enter()
        answer = self.inner.issue_codes(hardware_ids)
        self.calls.note("issue_codes", hardware_ids, self.calls.store.renewed())
        return answer

    def remove(self, hardware_id: str) -> Any:
        self._enter()
        answer = self.inner.remove(hardware_id)
        self.calls.note("remove", [hardware_id], self.calls.store.renewed())
        return answer

    def list_devices(self, state: Any = None) -> Any:
        return self.inner.list_devices(state)

    def get(self, hardware_id: str) -> Any:
        return self.inner.get(hardware_id)


@dataclass
class Shared:
    world: World
    rollout: Rollout
    calls: Calls
    store: FenceWatch


@pytest.fixture
def four_sites(monkeypatch: pytest.MonkeyPatch) -> list[Handset]:
    monkeypatch.setitem(harness.SITE_ZONES, "Turin Works", "Europe/Rome")
    fleet = handsets(8)
    assert {h.site for h in fleet} == set(SITES)
    return fleet


@pytest.fixture
def shared(tmp_path: Path, four_sites: list[Handset]) -> Iterator[Shared]:
    """One service object over one store (the worker process), the fleet imported."""
    with world(tmp_path, four_sites) as w:
        store = FenceWatch(tmp_path / "state.sqlite3")
        calls = Calls(store, {h.hardware_id: h.site for h in four_sites})
        rollout = WrappedRollout(w.wiring(store), calls.wrap)
        rollout.import_file(roster_csv(four_sites), "fleet.csv", actor="admin", correlation_id="imp")
        yield Shared(w, rollout, calls, store)
        rollout.ports.close()


def _steal(store: FenceWatch, lease: str) -> None:
    """Another instance takes the lease over (its row rewritten under a new etag)."""
    entity = store.get(LEASE_TABLE, LEASE_PARTITION, lease)
    assert entity is not None, f"{lease} is not held"
    SqliteStateStore.replace(store, entity, {"owner": "another-instance", "expires_at": entity.data["expires_at"]})


def _run_together(jobs: dict[str, Callable[[], PassOutcome]]) -> dict[str, PassOutcome]:
    outcome: dict[str, PassOutcome] = {}
    threads = [threading.Thread(target=lambda k=key, j=job: outcome.setdefault(k, j()), name=f"{PASS_THREAD}{key}")
               for key, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(outcome) == set(jobs), "a pass never finished"
    return outcome


def _site_job(rollout: Rollout, site: str) -> Callable[[], PassOutcome]:
    return lambda: rollout.run_pass(actor="timer", correlation_id=f"q-{site.split()[0]}", sites=[site])


def test_four_site_passes_on_one_service_keep_their_own_fence(shared: Shared) -> None:
    rollout, calls, store = shared.rollout, shared.calls, shared.store
    victim = SITES[1]
    store.start = threading.Barrier(len(SITES))
    calls.parked = threading.Barrier(len(SITES))
    stolen = threading.Event()

    def steal_once() -> None:
        if not stolen.is_set():
            stolen.set()
            _steal(store, site_lease(victim))

    calls.before_teams = steal_once
    outcome = _run_together({site: _site_job(rollout, site) for site in SITES})

    assert not outcome[victim].ran and "another pass took over" in outcome[victim].message
    assert all(outcome[s].ran for s in SITES if s != victim), {s: o.message for s, o in outcome.items()}
    reached = {calls.by_site[h] for _name, ids, _renewed in calls.seen for h in ids}
    assert reached == set(SITES) - {victim}, "only the pass that lost its lease stops calling Teams"
    for name, ids, renewed in calls.seen:
        site = calls.by_site[ids[0]]
        assert {calls.by_site[h] for h in ids} == {site}
        expected = ((site_lease(site), f"q-{site.split()[0]}"),)
        assert _by_pass(renewed) == expected, f"{name} for {site} was fenced by {renewed}"


def test_the_timer_and_run_now_together_on_one_service(shared: Shared) -> None:
    """"Run now" (the whole tenant) while the timer's work items run: whichever holds its leases
    acts alone, fenced by its own lease; the others step back."""
    rollout, calls, store = shared.rollout, shared.calls, shared.store
    first, second = SITES[0], SITES[2]
    store.start = threading.Barrier(2)
    calls.parked = threading.Barrier(2)
    late: dict[str, PassOutcome] = {}

    def run_now_meanwhile() -> None:  # both site passes are inside their first Teams call
        if not late:
            late["run now"] = rollout.run_pass(actor="admin", correlation_id="run-now", check_all_users=True)

    calls.before_teams = run_now_meanwhile
    outcome = _run_together({first: _site_job(rollout, first), second: _site_job(rollout, second)})
    assert outcome[first].ran and outcome[second].ran
    assert not late["run now"].ran and "another reconciliation pass" in late["run now"].message
    for name, ids, renewed in calls.seen:
        site = calls.by_site[ids[0]]
        expected = ((site_lease(site), f"q-{site.split()[0]}"),)
        assert _by_pass(renewed) == expected, f"{name} for {site} was fenced by {renewed}"

    # now "Run now" holds the whole tenant; the timer's items arrive while it is inside a Teams call
    calls.seen.clear()
    store.start, calls.parked = None, None
    skipped: dict[str, PassOutcome] = {}

    def timer_meanwhile() -> None:
        if not skipped:
            skipped.update(_run_together({s: _site_job(rollout, s) for s in SITES}))

    calls.before_teams = timer_meanwhile
    calls.parked = threading.Barrier(1)
    shared.world.open_day(shared.world.fleet[0].day)  # install day: codes are due for every site
    now = rollout.run_pass(actor="admin", correlation_id="run-now-2")
    assert now.ran and now.execution is not None and now.execution.issued
    assert skipped and not any(o.ran for o in skipped.values())
    assert calls.seen, "run now made Teams calls"
    assert all(_by_pass(renewed) == ((PASS_LEASE, "run-now-2"),) for _n, _ids, renewed in calls.seen), calls.seen


def _by_pass(renewed: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Lease renewals with each owner read back to its pass's correlation id (an owner is the id
    plus a part fresh for every pass, service/pass_leases.pass_owner)."""
    return tuple((lease, owner.rsplit(".", 1)[0]) for lease, owner in renewed)
