"""The doctor's client refuses every write before anything is sent: the simulator counts no request."""

from __future__ import annotations

import httpx
import pytest

from teams_sip.adapters.doctor.readonly import ReadOnlyTransport, WriteRefusedError
from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.service.doctor.snapshots import CREATE_PATH
from teams_sip.simulator import SimulatedTenant
from tests.doctor.conftest import values


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE", "PUT"])
def test_a_write_raises_before_anything_is_sent(sim: SimulatedTenant, method: str) -> None:
    port, _ = build_doctor(settings_from_values(values(sim)))
    try:
        url = f"{sim.graph_url}/admin/teams/policy/userAssignments/assign"
        sim.reset_stats()
        with pytest.raises(WriteRefusedError, match=method):
            port.http.request(method, url, json={"value": []})
        assert sim.stats()["totalRequests"] == 0
        assert port.guard.refused == 1
        port.get("graph", "/users", params={"$top": "1"})  # reads still go through
        assert sim.stats()["totalRequests"] == 1
    finally:
        port.close()


def test_only_the_named_write_is_let_through() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(202)

    guard = ReadOnlyTransport(httpx.MockTransport(answer), allow=[("POST", "/snapshots")])
    with httpx.Client(transport=guard) as client:
        assert client.post("https://example.test/beta/snapshots").status_code == 202
        with pytest.raises(WriteRefusedError):
            client.post("https://example.test/beta/other")
    assert sent == ["POST /beta/snapshots"]


SNAPSHOT_BODY = {"displayName": "teams sip doctor check", "resources": ["microsoft.teams.callingpolicy"]}


def test_without_the_flag_even_create_snapshot_is_refused(sim: SimulatedTenant) -> None:
    port, options = build_doctor(settings_from_values(values(sim)))
    try:
        sim.reset_stats()
        answer = port.post("graph", CREATE_PATH, SNAPSHOT_BODY)
        assert (answer.status, options.create_snapshot) == (0, False)
        assert "read-only" in answer.error and port.guard.refused == 1
        assert sim.stats()["totalRequests"] == 0
    finally:
        port.close()


@pytest.mark.parametrize("path", ["/admin/teams/policy/userAssignments/assign",
                                  "/admin/configurationManagement/configurationMonitors",
                                  "/admin/configurationManagement/configurationSnapshots/createSnapshot/extra"])
def test_the_flag_lets_through_create_snapshot_and_no_other_post(sim: SimulatedTenant, path: str) -> None:
    port, options = build_doctor(settings_from_values(values(sim)), create_snapshot=True)
    try:
        sim.reset_stats()
        with pytest.raises(WriteRefusedError, match="POST"):
            port.http.post(f"{sim.graph_url}{path}", json={"value": []})
        with pytest.raises(WriteRefusedError, match="DELETE"):
            port.http.delete(f"{sim.graph_url}/admin/configurationManagement/configurationSnapshotJobs/x")
        assert sim.stats()["totalRequests"] == 0 and port.guard.refused == 2
        assert port.post("graph", CREATE_PATH, SNAPSHOT_BODY).status == 200
        assert sim.stats()["requests"] == {"POST createSnapshot": 1} and options.create_snapshot
    finally:
        port.close()
