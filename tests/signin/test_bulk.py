from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from teams_sip.domain.signin.bulk import (
    MAX_BATCHES_IN_FLIGHT_PER_REGION,
    MAX_DEVICES_PER_BATCH,
    BulkCandidate,
    deadline,
    plan_batches,
)
from teams_sip.domain.sites import Region

T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def _cand(n: int, region: Region = Region.EMEA, onboarded: datetime = T0, out: datetime | None = None) -> BulkCandidate:
    return BulkCandidate(f"{n:012X}", f"cap{n}@contoso.com", region, onboarded, out)


def test_window_edges_72h_after_onboarding() -> None:
    c = _cand(1)
    assert deadline(c) == T0 + timedelta(hours=72)
    at_edge = plan_batches([c], {}, T0 + timedelta(hours=72))
    assert len(at_edge.batches) == 1 and not at_edge.expired
    past = plan_batches([c], {}, T0 + timedelta(hours=72, seconds=1))
    assert not past.batches and past.expired == (c,)


def test_window_is_168h_after_a_sign_out() -> None:
    c = _cand(1, out=T0 + timedelta(days=10))
    assert deadline(c) == T0 + timedelta(days=10, hours=168)
    assert plan_batches([c], {}, T0 + timedelta(days=16)).batches


def test_batches_hold_at_most_100_and_3_in_flight_per_region() -> None:
    many = [_cand(i) for i in range(350)] + [_cand(1000 + i, Region.APAC) for i in range(5)]
    plan = plan_batches(many, {Region.EMEA: 1}, T0)
    emea = [b for b in plan.batches if b.region is Region.EMEA]
    assert [len(b.items) for b in emea] == [100, 100]
    assert len(plan.deferred) == 150
    apac = [b for b in plan.batches if b.region is Region.APAC]
    assert [len(b.items) for b in apac] == [5]


def test_full_region_defers_everything() -> None:
    plan = plan_batches([_cand(1)], {Region.EMEA: 3}, T0)
    assert not plan.batches and len(plan.deferred) == 1


def test_duplicate_hardware_ids_are_batched_once() -> None:
    plan = plan_batches([_cand(1), _cand(1)], {}, T0)
    assert sum(len(b.items) for b in plan.batches) == 1


def test_dashed_form() -> None:
    plan = plan_batches([BulkCandidate("0003717C0E0A", "a@b.c", Region.NOAM, T0)], {}, T0)
    assert plan.batches[0].items[0].dashed == "00-03-71-7C-0E-0A"


@given(
    n=st.integers(0, 700),
    in_flight=st.integers(0, 5),
    hours=st.integers(0, 100),
)
def test_every_candidate_is_accounted_for_and_limits_hold(n: int, in_flight: int, hours: int) -> None:
    cands = [_cand(i, onboarded=T0 - timedelta(hours=i % 90)) for i in range(n)]
    now = T0 + timedelta(hours=hours)
    plan = plan_batches(cands, {Region.EMEA: in_flight}, now)
    batched = [item.hardware_id for b in plan.batches for item in b.items]
    assert len(batched) + len(plan.expired) + len(plan.deferred) == n
    assert len(plan.batches) <= max(0, MAX_BATCHES_IN_FLIGHT_PER_REGION - in_flight)
    assert all(len(b.items) <= MAX_DEVICES_PER_BATCH for b in plan.batches)
    assert all(now > deadline(c) for c in plan.expired)
    by_id = {c.hardware_id: c for c in cands}
    assert all(now <= deadline(by_id[h]) for h in batched)
