"""Every realism knob of the simulator is survived by the retry policy, for Graph and provisioning."""

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.batch import BatchRequest
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.provisioning.api_client import build_provisioning_client
from teams_sip.service.ports.provisioning import DeviceRegistration

from .conftest import sim_settings

pytestmark = pytest.mark.faults

KNOBS: dict[str, dict[str, float]] = {
    "503": {"error_503": 0.3},
    "504": {"error_504": 0.3},
    "resets": {"resets": 0.3},
    "slow": {"slow": 0.3, "slow_seconds": 1.0},
    "latency": {"latency_ms": 30},
    "throttling": {"rate_limit_per_s": 40, "burst": 10},
}


@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_graph_survives(sim, knob: str) -> None:
    settings = sim_settings(sim, HTTP_TIMEOUT_SECONDS="0.3")
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as graph:
        ids = [u["id"] for u in graph.get_json("/users", {"$top": "30", "$select": "id"})["value"]]
        sim.set_faults(**KNOBS[knob])
        for uid in ids[:8]:
            assert graph.get_json(f"/users/{uid}")["id"] == uid
        answers = graph.batch([BatchRequest(str(i), f"/users/{uid}") for i, uid in enumerate(ids)])
        assert all(a.ok for a in answers.values())
        assert len(list(graph.iter_items("/users", {"$top": "25"}))) == len(sim.world.users)
        if knob in ("resets", "slow"):
            assert graph.metrics.transport_errors > 0
        elif knob != "latency":
            assert graph.metrics.retries + graph.metrics.statuses[503] + graph.metrics.statuses[504] > 0


@pytest.mark.parametrize("knob", sorted(KNOBS))
def test_provisioning_survives(sim, knob: str) -> None:
    settings = sim_settings(sim, HTTP_TIMEOUT_SECONDS="0.3")
    prefix = f"{sorted(KNOBS).index(knob) + 1:02X}"
    ids = [f"{prefix}{n:010X}" for n in range(1, 6)]
    with build_provisioning_client(settings, build_token_provider(settings, sim.clock)) as client:
        sim.set_faults(**KNOBS[knob])
        results = client.register([DeviceRegistration(h, "Lab") for h in ids])
        assert {r.status for r in results} <= {"created", "exists"}
        codes = client.issue_codes(ids)
        assert all(c.ok for c in codes)
        listed = {d.hardware_id for d in client.list_devices()}
        assert set(ids) <= listed
