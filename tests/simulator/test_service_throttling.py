"""The "documented" throttling preset (issue 21): each Graph service throttles on its own, as
Microsoft's pages describe, and inner `$batch` requests are evaluated one by one with their own
Retry-After. The flat preset (one bucket per app) is covered in test_faults.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from teams_sip import throttling_limits as limits
from teams_sip.errors import InputError
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.faults import FaultInjector, FaultSettings
from teams_sip.simulator.scenario_json import scenario_from_dict, scenario_to_dict
from teams_sip.simulator.throttling import retry_after_text

DOCUMENTED = FaultSettings(throttling="documented")


def injector(users: int = 10) -> FaultInjector:
    return FaultInjector(DOCUMENTED, seed=1, tenant="t1", tenant_users=users)


def admitted(faults: FaultInjector, n: int, method: str, path: str, query: dict[str, str] | None = None) -> int:
    return sum(faults.throttle("app", "/v1.0", method, path, query or {})[0] is None for _ in range(n))


def burst_then_refill(faults: FaultInjector, n: int, path: str, query: dict[str, str], burst: int,
                      per_s: float) -> None:
    """`n` asks at once pass `burst`, plus what the bucket refills while they are asked (a busy machine)."""
    started = time.monotonic()
    passed = admitted(faults, n, "GET", path, query)
    assert burst <= passed <= burst + (time.monotonic() - started) * per_s + 1


@pytest.fixture(autouse=True)
def calm(sim: SimulatedTenant) -> Iterator[None]:
    sim.set_faults(throttling="flat", rate_limit_per_s=None, latency_ms=0)
    yield
    sim.set_faults(throttling="flat", rate_limit_per_s=None, latency_ms=0)


def test_identity_is_a_bucket_of_resource_units_sized_by_the_tenant() -> None:
    small = injector(users=10)  # S: 3,500 units per 10 s
    burst_then_refill(small, 2_000, "/users", {}, 1_750, 175)  # a plain GET of users costs 2 units
    refusal, _ = small.throttle("app", "/v1.0", "GET", "/users", {})
    assert refusal is not None and 0 < float(refusal.headers["Retry-After"]) <= 0.01, "2 units at 350 per second"
    assert refusal.headers[limits.SCOPE_HEADER] == "Tenant_Application/Read/app/t1"
    assert refusal.headers[limits.INFORMATION_HEADER] == "ResourceUnitLimitExceeded"
    large = injector(users=600)  # L: 8,000 units per 10 s; $select and $top under 20 take it to 1
    burst_then_refill(large, 9_000, "/users", {"$select": "id", "$top": "5"}, 8_000, 800)
    assert injector(users=100).throttle("app", "/v1.0", "GET", "/users/x/licenseDetails", {})[1] == {
        limits.RESOURCE_UNIT_HEADER: "2"}, "answered identity requests say what they cost"


def test_teams_reads_and_writes_have_their_own_rates_and_do_not_touch_identity() -> None:
    faults = injector()
    assert admitted(faults, 40, "GET", "/admin/teams/userConfigurations/u1") == 30, "30 requests per second"
    assert admitted(faults, 40, "POST", "/admin/teams/policy/userAssignments/assign") == 30, "a bucket of its own"
    assert admitted(faults, 100, "GET", "/users", {"$select": "id"}) == 100, "identity untouched by Teams' 429s"
    time.sleep(0.2)
    assert admitted(faults, 10, "GET", "/teamwork/devices") == 6, "refilled at 30 per second"
    stats = faults.stats()["services"]
    assert stats["teams-get"]["requests"] == 36 and stats["teams-get"]["throttled"] == 14
    assert stats["identity"]["units"] == 100 and stats["global"]["requests"] == 100 + 36 + 30


def test_sign_in_logs_take_five_requests_per_ten_seconds() -> None:
    assert admitted(injector(), 8, "GET", "/auditLogs/signIns") == 5


def test_a_mailbox_takes_four_requests_in_flight() -> None:
    faults = injector()
    assert [faults.enter_mailbox("app", "/users/a/sendMail") for _ in range(5)] == [True] * 4 + [False]
    assert faults.enter_mailbox("app", "/users/b/sendMail"), "another mailbox is not affected"
    faults.leave_mailbox("app", "/users/a/sendMail")
    assert faults.enter_mailbox("app", "/users/a/sendMail")


def test_retry_after_is_written_as_the_documented_sample_does() -> None:
    assert retry_after_text(2.1271) == "2.128" and retry_after_text(0.0) == "0.001"


def test_inner_batch_requests_are_throttled_one_by_one_with_their_own_retry_after(
    sim: SimulatedTenant, client: httpx.Client, graph: dict[str, str]
) -> None:
    sim.set_faults(throttling="documented")
    ids = [u.upn for u in sim.scenario.users[:20]]  # a 404 or a 200, answered either way
    batch = {"requests": [{"id": str(n), "method": "GET", "url": f"/admin/teams/userConfigurations/{i}"}
                          for n, i in enumerate(ids)]}
    first = client.post(f"{sim.graph_url}/$batch", json=batch, headers=graph)
    second = client.post(f"{sim.graph_url}/$batch", json=batch, headers=graph)
    assert first.status_code == second.status_code == 200, "the envelope itself is not throttled"
    assert all(a["status"] != 429 for a in first.json()["responses"])
    throttled = [a for a in second.json()["responses"] if a["status"] == 429]
    assert 8 <= len(throttled) <= 12, "30 per second: ten of the second twenty are refused"
    for answer in throttled:
        assert float(answer["headers"]["Retry-After"]) > 0
        assert answer["body"]["error"]["code"] == "TooManyRequests"
        assert answer["body"]["error"]["innerError"]["status"] == "429"
    waits = sorted(float(a["headers"]["Retry-After"]) for a in throttled)
    assert waits[0] < 0.1, "each inner answer carries the wait its own bucket needs"
    users = client.get(f"{sim.graph_url}/users?$top=1&$select=id", headers=graph)
    assert users.status_code == 200 and users.headers[limits.RESOURCE_UNIT_HEADER] == "1"
    services = sim.stats()["services"]
    assert services["teams-get"]["requests"] >= 28 and services["global"]["requests"] >= 29


def test_the_preset_is_a_scenario_setting_and_bad_values_are_refused(sim: SimulatedTenant) -> None:
    data = scenario_to_dict(sim.scenario)
    data["faults"] = {"throttling": "documented"}
    assert scenario_from_dict(data).faults.throttling == "documented"
    data["faults"] = {"throttling": "strict"}
    with pytest.raises(InputError, match="throttling"):
        scenario_from_dict(data)
    with pytest.raises(InputError, match="throttling"):
        sim.set_faults(throttling="none")
