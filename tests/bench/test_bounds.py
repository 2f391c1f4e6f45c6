"""The benchmarks' lower bound is a real lower bound: no schedule the budgets admit finishes sooner,
the fastest one meets it, and throttled (refused) requests never raise it."""

from __future__ import annotations

import random

import pytest

from bench.bounds import Bound, BucketLimit, bound, budget_seconds, chain_of_pages, documented_limits, total


def fastest_finish(units: list[float], limit: BucketLimit) -> float:
    """When the last of `units` (sent in order, each as soon as the bucket, starting full, lets it)
    is admitted: the best any client can do."""
    tokens, now = limit.capacity, 0.0
    for cost in units:
        if tokens < cost:
            now += (cost - tokens) / limit.rate
            tokens = cost
        tokens -= cost
    return now


def random_schedule(n: int, limit: BucketLimit, rng: random.Random) -> tuple[int, float, int]:
    """Requests at random times against the bucket: (answered, time of the last answer, refused)."""
    tokens, at, now, answered, refused, last = limit.capacity, 0.0, 0.0, 0, 0, 0.0
    while answered < n:
        now += rng.expovariate(limit.rate * rng.uniform(0.5, 3.0))
        tokens, at = min(limit.capacity, tokens + (now - at) * limit.rate), now
        if tokens >= 1:
            tokens -= 1
            answered, last = answered + 1, now
        else:
            refused += 1
    return answered, last, refused


@pytest.mark.parametrize(("n", "rate", "capacity"), [(100, 30, 30), (1_000, 350, 3_500), (5_000, 350, 3_500),
                                                     (50, 10, 10), (10, 5, 5)])
def test_the_fastest_schedule_meets_the_budget_bound_exactly(n: int, rate: float, capacity: float) -> None:
    limit = BucketLimit(rate, capacity)
    assert fastest_finish([1.0] * n, limit) == pytest.approx(budget_seconds(n, limit))


def test_no_random_schedule_beats_the_bound_and_refusals_do_not_raise_it() -> None:
    rng, limit = random.Random(7), BucketLimit(30, 30)
    for _ in range(200):
        n = rng.randint(1, 300)
        answered, last, refused = random_schedule(n, limit, rng)
        b = bound({"teams-get": answered}, {"teams-get": limit}, chain=0, round_trip_s=0.0)
        assert last >= b.seconds - 1e-9, "a schedule faster than the bound would break the bucket"
        assert b.seconds == bound({"teams-get": answered}, {"teams-get": limit}, 0, 0.0).seconds
        assert refused >= 0  # refused requests are not in the units: the bound is the same with or without them


def test_mixed_costs_need_their_units_not_their_count() -> None:
    limit = BucketLimit(350, 3_500)
    costs = [2.0] * 3_000  # 6,000 units: 2,500 beyond the burst at 350 per second
    assert fastest_finish(costs, limit) == pytest.approx(budget_seconds(6_000, limit))
    assert budget_seconds(6_000, limit) == pytest.approx(2_500 / 350)


def test_the_bound_is_the_larger_part_and_names_its_bucket() -> None:
    limits = documented_limits(tenant_users=5_000)
    by_budget = bound({"teams-get": 330, "identity": 100, "global": 430}, limits, chain=25, round_trip_s=0.02)
    assert by_budget == Bound(10.0, "teams-get", 25, 0.02, 10.0)
    by_chain = bound({"teams-get": 30}, limits, chain=25, round_trip_s=0.02)  # within the burst
    assert by_chain.budget_s == 0.0 and by_chain.seconds == pytest.approx(0.5) and by_chain.bucket == ""
    assert "chain 25 x 20.0 ms" in by_chain.describe()


def test_stretches_with_gaps_add_up_and_chains_split_evenly() -> None:
    limits = {"teams-get": BucketLimit(30, 30)}
    passes = [bound({"teams-get": 90}, limits, 0, 0.0), bound({"teams-get": 60}, limits, 0, 0.0)]
    assert total(passes) == pytest.approx(2.0 + 1.0), "each stretch may start with a full bucket"
    assert chain_of_pages(101, 2) == 51 and chain_of_pages(0, 2) == 0


def test_tenant_size_sets_the_identity_bucket() -> None:
    assert documented_limits(10)["identity"] == BucketLimit(350, 3_500)
    assert documented_limits(100)["identity"] == BucketLimit(500, 5_000)
    assert documented_limits(5_000)["identity"] == BucketLimit(800, 8_000)
