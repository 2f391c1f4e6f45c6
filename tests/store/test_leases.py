"""Leases on top of every StateStore: one holder at a time, lapsed leases taken over, and a holder
that lost its lease finds out instead of carrying on. Time moves by ManualClock, not by sleeping."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from teams_sip.domain.clock import ManualClock
from teams_sip.service.ports.store import LeaseLostError, Leases, StateStore

TTL = timedelta(minutes=5)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2025, 3, 4, 7, 0, tzinfo=UTC))


def test_one_holder_at_a_time_until_release(store: StateStore, table: str, clock: ManualClock) -> None:
    leases = Leases(store, table)
    first = leases.acquire("reconcile", "instance-a", TTL, clock.now())
    assert first is not None and first.owner == "instance-a" and first.expires_at == clock.now() + TTL
    assert leases.acquire("reconcile", "instance-b", TTL, clock.now()) is None
    assert leases.acquire("other-job", "instance-b", TTL, clock.now()) is not None
    again = leases.acquire("reconcile", "instance-a", TTL, clock.now())
    assert again is not None and again.owner == "instance-a"
    assert leases.holder("reconcile", clock.now()) == again
    assert leases.release(again) is True
    assert leases.holder("reconcile", clock.now()) is None
    assert leases.acquire("reconcile", "instance-b", TTL, clock.now()) is not None


def test_crashed_holder_is_taken_over_after_ttl(store: StateStore, table: str, clock: ManualClock) -> None:
    leases = Leases(store, table)
    crashed = leases.acquire("reconcile", "instance-a", TTL, clock.now())
    assert crashed is not None
    clock.advance(TTL - timedelta(seconds=1))
    assert leases.acquire("reconcile", "instance-b", TTL, clock.now()) is None
    clock.advance(timedelta(seconds=1))
    taken = leases.acquire("reconcile", "instance-b", TTL, clock.now())
    assert taken is not None and taken.owner == "instance-b"
    with pytest.raises(LeaseLostError):
        leases.renew(crashed, TTL, clock.now())
    assert leases.release(crashed) is False
    assert leases.holder("reconcile", clock.now()) == taken


def test_renew_extends_even_after_lapse_while_nobody_took_it(store: StateStore, table: str,
                                                             clock: ManualClock) -> None:
    leases = Leases(store, table)
    lease = leases.acquire("reconcile", "instance-a", TTL, clock.now())
    assert lease is not None
    clock.advance(TTL * 2)
    renewed = leases.renew(lease, TTL, clock.now())
    assert renewed.expires_at == clock.now() + TTL
    assert leases.acquire("reconcile", "instance-b", TTL, clock.now()) is None
    with pytest.raises(LeaseLostError):
        leases.renew(lease, TTL, clock.now())  # the old etag is spent


def test_bad_lease_arguments_are_refused(store: StateStore, table: str) -> None:
    leases = Leases(store, table)
    with pytest.raises(ValueError, match="timezone"):
        leases.acquire("x", "a", TTL, datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="positive"):
        leases.acquire("x", "a", timedelta(0), datetime(2025, 1, 1, tzinfo=UTC))
    assert store.count(table) == 0


def test_only_one_of_many_concurrent_acquirers_wins(store: StateStore, table: str, clock: ManualClock) -> None:
    leases = Leases(store, table)
    barrier = threading.Barrier(6)
    won: list[str] = []

    def contender(name: str) -> None:
        barrier.wait()
        if leases.acquire("reconcile", name, TTL, clock.now()) is not None:
            won.append(name)

    threads = [threading.Thread(target=contender, args=(f"instance-{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(won) == 1
    assert leases.holder("reconcile", clock.now()).owner == won[0]  # type: ignore[union-attr]
