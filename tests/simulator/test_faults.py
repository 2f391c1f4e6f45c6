"""Every realism knob, seen from a plain HTTP client: latency, throttling, 5xx, resets, slow."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from teams_sip.errors import InputError
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.faults import FaultInjector, FaultSettings

OFF = {"latency_ms": 0, "rate_limit_per_s": None, "burst": None, "throttled": 0, "error_503": 0, "error_504": 0,
       "resets": 0, "slow": 0}


@pytest.fixture(autouse=True)
def calm(sim: SimulatedTenant) -> Iterator[None]:
    sim.set_faults(**OFF)
    sim.reset_stats()
    yield
    sim.set_faults(**OFF)


def test_latency_delays_each_request_without_serialising_them(sim: SimulatedTenant, graph: dict[str, str]) -> None:
    sim.set_faults(latency_ms=200)
    url = f"{sim.graph_url}/users?$top=1"

    def one(_: int) -> float:
        with httpx.Client(verify=sim.ssl_context()) as c:
            started = time.monotonic()
            assert c.get(url, headers=graph).status_code == 200
            return time.monotonic() - started

    started = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        each = list(pool.map(one, range(6)))
    assert min(each) >= 0.2
    assert time.monotonic() - started < 0.2 * 6 / 2


def test_budget_per_app_answers_429_with_retry_after(sim: SimulatedTenant, client, graph) -> None:
    sim.set_faults(rate_limit_per_s=2, burst=3)
    statuses = [client.get(f"{sim.graph_url}/users?$top=1", headers=graph) for _ in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert statuses[3].headers["Retry-After"] == "1"
    assert statuses[3].json()["error"]["code"] == "TooManyRequests"
    time.sleep(0.55)
    assert client.get(f"{sim.graph_url}/users?$top=1", headers=graph).status_code == 200
    assert sim.stats()["throttled"] == 2


def test_a_busy_service_throttles_some_answers_within_budget(sim: SimulatedTenant, client, graph) -> None:
    sim.set_faults(throttled=1.0)
    r = client.get(f"{sim.graph_url}/users?$top=1", headers=graph)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    sim.set_faults(throttled=0.5)
    seen = [client.get(f"{sim.graph_url}/users?$top=1", headers=graph).status_code for _ in range(30)]
    assert set(seen) == {200, 429}
    assert sim.stats()["throttled"] == 1 + seen.count(429)
    with pytest.raises(InputError, match="throttled"):
        sim.set_faults(throttled=1.5)


@pytest.mark.parametrize(("knob", "status"), [("error_503", 503), ("error_504", 504)])
def test_server_errors_at_the_configured_rate(sim: SimulatedTenant, client, graph, knob: str, status: int) -> None:
    sim.set_faults(**{knob: 1.0})
    r = client.get(f"{sim.graph_url}/users?$top=1", headers=graph)
    assert r.status_code == status and r.json()["error"]["code"]
    sim.set_faults(**{knob: 0.5})
    seen = {client.get(f"{sim.graph_url}/users?$top=1", headers=graph).status_code for _ in range(30)}
    assert seen == {200, status}
    assert sim.stats()["faults"][str(status)] >= 2


def test_connection_resets_break_the_answer(sim: SimulatedTenant, client, graph) -> None:
    sim.set_faults(resets=1.0)
    with pytest.raises(httpx.TransportError):
        client.get(f"{sim.graph_url}/users?$top=1", headers=graph)
    assert sim.stats()["faults"] == {"reset": 1}


def test_slow_answers_outlast_a_client_timeout(sim: SimulatedTenant, graph) -> None:
    sim.set_faults(slow=1.0, slow_seconds=0.6)
    with httpx.Client(verify=sim.ssl_context(), timeout=0.2) as c, pytest.raises(httpx.ReadTimeout):
        c.get(f"{sim.graph_url}/users?$top=1", headers=graph)
    with httpx.Client(verify=sim.ssl_context(), timeout=2) as c:
        assert c.get(f"{sim.graph_url}/users?$top=1", headers=graph).status_code == 200


def test_bad_fault_settings_are_refused_whole(sim: SimulatedTenant) -> None:
    with pytest.raises(InputError, match="error_503"):
        sim.set_faults(latency_ms=5, error_503=2)
    with pytest.raises(InputError, match="unknown"):
        sim.set_faults(jitter=1)
    assert sim.faults.settings.latency_ms == 0


def test_fault_draws_repeat_under_the_same_seed() -> None:
    settings = FaultSettings(error_503=0.3, resets=0.1, slow=0.05)
    first, second, other = FaultInjector(settings, 7), FaultInjector(settings, 7), FaultInjector(settings, 8)
    draws = [first.draw() for _ in range(200)]
    assert draws == [second.draw() for _ in range(200)]
    assert draws != [other.draw() for _ in range(200)]


def test_stats_count_requests_per_endpoint(sim: SimulatedTenant, client, graph) -> None:
    user = sim.scenario.users[0]
    client.get(f"{sim.graph_url}/users/{user.id}", headers=graph)
    client.get(f"{sim.graph_url}/admin/teams/userConfigurations/{user.id}", headers=graph)
    stats = sim.stats()
    assert stats["requests"]["GET /v1.0/users/{id}"] == 1
    assert stats["requests"]["GET /v1.0/admin/teams/userConfigurations/{id}"] == 1
    assert stats["statuses"]["200"] == 2
