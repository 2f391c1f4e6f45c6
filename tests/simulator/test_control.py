"""The /_sim control endpoints and the `teams-sip simulator` command, driven from outside."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from teams_sip.entrypoints.cli import main
from teams_sip.simulator import SimulatedTenant
from tests.simulator.conftest import PROVISIONING, token

ROOT = Path(__file__).resolve().parents[2]


def test_clock_faults_and_stats_over_http(sim: SimulatedTenant, client: httpx.Client) -> None:
    before = sim.clock.now()
    moved = client.post(f"{sim.base_url}/_sim/clock", json={"days": 1, "hours": 2}).json()["now"]
    assert (sim.clock.now() - before).total_seconds() == 26 * 3600 and moved.endswith("Z")
    assert client.post(f"{sim.base_url}/_sim/clock", json={"set": "2000-01-01T00:00:00+00:00"}).status_code == 400
    assert client.post(f"{sim.base_url}/_sim/faults", json={"latency_ms": -1}).status_code == 400
    assert client.post(f"{sim.base_url}/_sim/faults", json={"latency_ms": 1}).json()["latency_ms"] == 1
    client.post(f"{sim.base_url}/_sim/faults", json={"latency_ms": 0})
    assert client.delete(f"{sim.base_url}/_sim/stats").json()["totalRequests"] == 0


def test_device_actions_and_outbox_over_http(sim: SimulatedTenant, client: httpx.Client) -> None:
    prov = token(client, sim, PROVISIONING)
    hw = "000DDDDDDDD1"
    body = {"devices": [{"hardwareId": hw, "location": "Lab"}]}
    client.post(f"{sim.provisioning_url}/provisioning/v1/devices/register", headers=prov, json=body)
    issued = client.post(
        f"{sim.provisioning_url}/provisioning/v1/devices/issueCodes", headers=prov, json={"hardwareIds": [hw]}
    )
    code = issued.json()["results"][0]["code"]
    wrong = client.post(f"{sim.base_url}/_sim/devices/{hw}/dial", json={"code": "00000000x"})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "wrongCode"
    assert code not in wrong.text
    assert (
        client.post(f"{sim.base_url}/_sim/devices/{hw}/dial", json={"code": code}).json()["state"] == "waitingForSignIn"
    )
    upn = sim.scenario.users_with_case("eligible")[0].upn
    signed = client.post(f"{sim.base_url}/_sim/devices/{hw}/sign-in", json={"upn": upn}).json()
    assert signed["signedInUser"] == upn
    assert client.post(f"{sim.base_url}/_sim/devices/{hw}/offline").status_code == 200
    listed = {d["hardwareId"]: d for d in client.get(f"{sim.base_url}/_sim/devices").json()["devices"]}
    assert listed[hw]["online"] is False
    assert client.get(f"{sim.base_url}/_sim/outbox").json() == {"mails": []}
    assert client.get(f"{sim.base_url}/_sim/state").json()["devices"]["signedIn"] >= 1


def test_simulator_command_serves_until_stopped(tmp_path: Path) -> None:
    connection = tmp_path / "conn.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "teams_sip",
            "simulator",
            "--port",
            "0",
            "--users",
            "20",
            "--connection-file",
            str(connection),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not connection.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        settings = json.loads(connection.read_text())
        import ssl

        context = ssl.create_default_context(cafile=settings["caBundle"])
        state = None
        while state is None and time.monotonic() < deadline:
            try:
                state = httpx.get(f"{settings['controlUrl']}/state", verify=context).json()
            except httpx.ConnectError:
                time.sleep(0.05)
        assert state is not None and state["users"] == 20
        assert settings["authority"].endswith(settings["tenantId"])
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert settings["clientSecret"] not in out + err
    assert proc.returncode == 0 and not Path(settings["caBundle"]).exists()  # temp credentials removed


def test_write_scenario_writes_json_and_exits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "tenant.json"
    assert main(["simulator", "--users", "12", "--seed", "3", "--write-scenario", str(target)]) == 0
    assert len(json.loads(target.read_text())["users"]) == 12


def test_bad_scenario_file_is_a_clear_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"users": [{"upn": "x"}]}')
    assert main(["simulator", "--scenario", str(bad)]) == 2
    assert "needs an @domain" in capsys.readouterr().err
