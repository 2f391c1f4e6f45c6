"""The provisioning contract (docs/provisioning-api.md), the handset actions and the clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from teams_sip.simulator import DeviceActionError, SimulatedTenant
from tests.simulator.conftest import PROVISIONING, token


@pytest.fixture
def prov(client: httpx.Client, sim: SimulatedTenant) -> dict[str, str]:
    return token(client, sim, PROVISIONING)


def _register(client, sim, prov, *ids: str) -> list[dict[str, Any]]:
    body = {"devices": [{"hardwareId": h, "location": "Ward 1"} for h in ids]}
    r = client.post(f"{sim.provisioning_url}/provisioning/v1/devices/register", headers=prov, json=body)
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def _codes(client, sim, prov, *ids: str) -> dict[str, dict[str, Any]]:
    r = client.post(
        f"{sim.provisioning_url}/provisioning/v1/devices/issueCodes", headers=prov, json={"hardwareIds": list(ids)}
    )
    assert r.status_code == 200, r.text
    return {x["hardwareId"]: x for x in r.json()["results"]}


def _get(client: httpx.Client, sim: SimulatedTenant, prov: dict[str, str], hw: str) -> httpx.Response:
    return client.get(f"{sim.provisioning_url}/provisioning/v1/devices/{hw}", headers=prov)


def test_register_is_idempotent_and_refuses_bad_ids_per_device(sim, client, prov):
    results = _register(client, sim, prov, "0003717C0E0A", "0003717c0e0a", "0003717C0E0A")
    assert [r["status"] for r in results] == ["created", "failed", "exists"]
    assert results[1]["error"]["code"] == "invalidHardwareId"
    too_many = {"devices": [{"hardwareId": f"{i:012X}", "location": ""} for i in range(501)]}
    r = client.post(f"{sim.provisioning_url}/provisioning/v1/devices/register", headers=prov, json=too_many)
    assert r.status_code == 400 and _get(client, sim, prov, f"{500:012X}").status_code == 404


def test_code_lifecycle_dial_sign_in_and_teamwork_listing(sim, client, prov, graph):
    hw = "000AAAAAAAA1"
    _register(client, sim, prov, hw)
    first = _codes(client, sim, prov, hw)[hw]
    second = _codes(client, sim, prov, hw)[hw]
    assert set(first) == {"hardwareId", "code", "expiresAt"}
    device = _get(client, sim, prov, hw).json()
    assert device["state"] == "waitingOnActivation" and device["codeExpiresAt"] == second["expiresAt"]
    assert "code" not in device
    with pytest.raises(DeviceActionError) as replaced:
        sim.dial_code(hw, first["code"]) if first["code"] != second["code"] else sim.dial_code(hw, "x")
    assert replaced.value.code == "wrongCode"
    sim.dial_code(hw, second["code"])
    assert _get(client, sim, prov, hw).json()["state"] == "waitingForSignIn"
    teamwork = f"{sim.graph_beta_url}/teamwork/devices"
    listed = client.get(teamwork, headers=graph, params={"$filter": "deviceType eq 'sip'"}).json()["value"]
    mac = "-".join(hw[i : i + 2] for i in range(0, 12, 2))  # uniqueId is opaque (simulator/invented.py)
    assert mac not in {m for d in listed for m in d["hardwareDetail"]["macAddresses"]}  # only after a first sign-in
    with pytest.raises(DeviceActionError) as refused:
        sim.sign_in(hw, sim.scenario.users_with_case("policy_not_sip")[0].upn)
    assert refused.value.code == "sipDevicesNotAllowed"
    user = sim.scenario.users_with_case("eligible")[0]
    sim.sign_in(hw, user.upn)
    device = _get(client, sim, prov, hw).json()
    assert (device["state"], device["signedInUser"]) == ("signedIn", user.upn)
    listed = client.get(teamwork, headers=graph, params={"$filter": "deviceType eq 'sip'"}).json()["value"]
    mine = next(d for d in listed if d["hardwareDetail"]["macAddresses"] == [mac])
    assert mine["currentUser"]["id"] == user.id and mine["healthStatus"] == "healthy"
    assert _codes(client, sim, prov, hw)[hw]["error"]["code"] == "alreadyActivated"
    removed = client.delete(f"{sim.provisioning_url}/provisioning/v1/devices/{hw}", headers=prov)
    assert removed.status_code == 409


def test_code_expires_after_24_simulated_hours(sim, client, prov):
    hw = "000BBBBBBBB1"
    _register(client, sim, prov, hw)
    code = _codes(client, sim, prov, hw)[hw]["code"]
    sim.clock.advance(timedelta(hours=24))
    with pytest.raises(DeviceActionError) as expired:
        sim.dial_code(hw, code)
    assert expired.value.code == "codeExpired"
    prov = token(client, sim, PROVISIONING)  # the old token expired with the clock
    sim.dial_code(hw, _codes(client, sim, prov, hw)[hw]["code"])
    assert _get(client, sim, prov, hw).json()["state"] == "waitingForSignIn"


def test_list_pages_filters_by_state_and_remove_works_before_activation(sim, client):
    prov = token(client, sim, PROVISIONING)
    ids = [f"0001{n:08X}" for n in range(7)]
    _register(client, sim, prov, *ids)
    url = f"{sim.provisioning_url}/provisioning/v1/devices"
    seen, params = [], {"state": "waitingOnActivation", "pageSize": "3"}
    while True:
        body = client.get(url, headers=prov, params=params).json()
        assert len(body["devices"]) <= 3
        seen += [d["hardwareId"] for d in body["devices"]]
        if not body["continuationToken"]:
            break
        params = {"state": "waitingOnActivation", "pageSize": "3", "continuationToken": body["continuationToken"]}
    assert set(ids) <= set(seen) and len(seen) == len(set(seen))
    assert client.get(url, headers=prov, params={"pageSize": "101"}).status_code == 400
    assert client.get(url, headers=prov, params={"state": "lost"}).status_code == 400
    assert client.delete(f"{url}/{ids[0]}", headers=prov).status_code == 204
    assert client.delete(f"{url}/{ids[0]}", headers=prov).status_code == 404


def test_stale_devices_disappear_after_14_days_signed_out_and_30_days_silent(sim, client):
    prov = token(client, sim, PROVISIONING)
    out_hw, silent_hw, busy_hw = "000CCCCCCCC1", "000CCCCCCCC2", "000CCCCCCCC3"
    _register(client, sim, prov, out_hw, silent_hw, busy_hw)
    codes = _codes(client, sim, prov, out_hw, silent_hw, busy_hw)
    user = sim.scenario.users_with_case("eligible")[1].upn
    for hw in (out_hw, silent_hw, busy_hw):
        sim.dial_code(hw, codes[hw]["code"])
        sim.sign_in(hw, user)
    sim.sign_out(out_hw)
    sim.take_offline(silent_hw)
    sim.clock.advance(timedelta(days=14, minutes=1))
    prov = token(client, sim, PROVISIONING)
    assert _get(client, sim, prov, out_hw).status_code == 404
    assert _get(client, sim, prov, silent_hw).json()["lastSeen"] is not None
    sim.clock.advance(timedelta(days=16))
    prov = token(client, sim, PROVISIONING)
    assert _get(client, sim, prov, silent_hw).status_code == 404
    assert _get(client, sim, prov, busy_hw).json()["state"] == "signedIn"  # online devices keep contact
    reasons = {r.hardware_id: r.reason for r in sim.world.devices.removals}
    assert reasons[out_hw] == "staleSignedOut" and reasons[silent_hw] == "staleSignedIn"


def test_provisioning_needs_its_own_audience_and_role(sim, client, graph):
    url = f"{sim.provisioning_url}/provisioning/v1/devices"
    assert client.get(url, headers=graph).status_code == 401
    sim.set_app_roles(["User.Read.All"])
    try:
        denied = client.get(url, headers=token(client, sim, PROVISIONING))
        assert denied.status_code == 403
    finally:
        from teams_sip.simulator.catalog import ALL_ROLES

        sim.set_app_roles(list(ALL_ROLES))
