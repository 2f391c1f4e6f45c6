"""Simulated bulk sign-in over HTTPS: batches, limits, deadlines, every documented error string,
and the /_sim knobs that make each cause happen."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import httpx
import pytest

from teams_sip.simulator import SimulatedTenant

from .conftest import PROVISIONING, token

_serial = itertools.count(1)


def new_hw() -> str:
    return f"B1{next(_serial):010X}"


def dashed(hw: str) -> str:
    return "-".join(hw[i : i + 2] for i in range(0, 12, 2))


def activate(sim: SimulatedTenant, hw: str, location: str = "Ward 1") -> None:
    """Register, issue a code and dial it: the device waits for sign-in."""
    with sim.world.lock:
        now = sim.world.tick()
        sim.world.devices.register(hw, location, now)
        code, _ = sim.world.devices.issue_code(hw, now)
    sim.dial_code(hw, code.reveal())


class Auth:
    """Fresh headers per request: tokens expire as the tests move the simulated clock."""

    def __init__(self, client: httpx.Client, sim: SimulatedTenant) -> None:
        self.client, self.sim = client, sim

    def __call__(self) -> dict[str, str]:
        return token(self.client, self.sim, PROVISIONING)


@pytest.fixture
def auth(client: httpx.Client, sim: SimulatedTenant) -> Auth:
    sim.set_bulk_signin(delay=timedelta(minutes=5), tenant_ip_trusted=True, untrusted_locations=set())
    return Auth(client, sim)


def submit(client: httpx.Client, sim: SimulatedTenant, auth: Auth, items: list[dict[str, str]],
           region: str = "EMEA", reference: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"region": region, "items": items}
    if reference:
        body["clientReference"] = reference
    return client.post(f"{sim.bulk_signin_url}/bulksignin/v1/batches", json=body, headers=auth())


def status(client: httpx.Client, sim: SimulatedTenant, auth: Auth, batch_id: str) -> dict[str, Any]:
    r = client.get(f"{sim.bulk_signin_url}/bulksignin/v1/batches/{batch_id}", headers=auth())
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def finish_all(sim: SimulatedTenant) -> None:
    sim.clock.advance(timedelta(minutes=6))
    sim.bulk_batches()


def cap_user(sim: SimulatedTenant) -> str:
    return sim.scenario.users_with_case("common_area")[0].upn


def test_a_batch_completes_after_the_delay_and_signs_the_account_in(client, sim, auth) -> None:
    hw, upn = new_hw(), cap_user(sim)
    activate(sim, hw)
    r = submit(client, sim, auth, [{"Username": upn, "HardwareId": dashed(hw)}])
    assert r.status_code == 202, r.text
    batch_id = r.json()["BatchId"]
    assert status(client, sim, auth, batch_id)["BatchStatus"] == "InProgress"
    assert sim.world.devices.devices[hw].state == "waitingForSignIn"
    sim.clock.advance(timedelta(minutes=5))
    done = status(client, sim, auth, batch_id)
    assert done["BatchStatus"] == "Completed"
    assert done["BatchItem"] == [{"UserName": upn, "HardwareId": dashed(hw), "Status": "Success", "Error": ""}]
    device = sim.world.devices.devices[hw]
    assert device.state == "signedIn" and device.signed_in_user == upn


def test_every_documented_error_for_the_cause_the_world_shows(client, sim, auth) -> None:
    users = {case: sim.scenario.users_with_case(case)[0].upn for case in
             ("common_area", "common_area_no_cap_policy", "no_phone_number", "policy_not_sip")}
    good = users["common_area"]
    late = new_hw()
    activate(sim, late)
    sim.clock.advance(timedelta(hours=72, minutes=1))  # past the 72-hour window, inside 14 days
    devices = {name: new_hw() for name in ("user", "phone", "sip", "cap", "tag", "offline", "ip", "dup", "fmt")}
    for name, hw in devices.items():
        activate(sim, hw, "Lobby" if name == "ip" else "Ward 1")
    sim.set_bulk_tag(devices["tag"], False)
    sim.take_offline(devices["offline"])
    sim.set_bulk_signin(untrusted_locations={"Lobby"})
    items = [
        ("nobody@contoso.example", devices["user"]),
        (users["no_phone_number"], devices["phone"]),
        (users["policy_not_sip"], devices["sip"]),
        (users["common_area_no_cap_policy"], devices["cap"]),
        (good, "B0-FF-FF-FF-FF-01"),  # never registered
        (good, devices["tag"]),
        (good, devices["offline"]),
        (good, devices["ip"]),
        (good, late),
        (good, devices["dup"]),
        (good, devices["dup"]),
        (good, devices["fmt"]),
    ]
    body = [{"Username": u, "HardwareId": h if "-" in h else dashed(h)} for u, h in items]
    body[-1]["HardwareId"] = devices["fmt"]  # undashed: the wrong format
    r = submit(client, sim, auth, body)
    assert r.status_code == 202, r.text
    finish_all(sim)
    errors = [item["Error"] for item in status(client, sim, auth, r.json()["BatchId"])["BatchItem"]]
    assert errors == [
        "User not found in tenant",
        "User missing phone number assignment",
        "User missing AllowSIPDevicesCalling policy assignment",
        "User missing CAP policy assignment",
        "Device not found in records",
        "BulkSignIn Tag missing for the device",
        "Device is offline",
        "Public IP not configured as Trusted IP",
        "Bulk Sign-in deadline expired",
        "Duplicate devices found for bulk sign-in. IP addresses: 192.0.2.10, 192.0.2.11",
        "Duplicate devices found for bulk sign-in. IP addresses: 192.0.2.10, 192.0.2.11",
        "Input hardware-ID is of wrong format",
    ]
    assert all(sim.world.devices.devices[h].state == "waitingForSignIn" for h in devices.values())


def test_the_window_is_168_hours_after_a_sign_out(client, sim, auth) -> None:
    hw, upn = new_hw(), cap_user(sim)
    activate(sim, hw)
    sim.sign_in(hw, upn)
    sim.clock.advance(timedelta(hours=48))
    sim.sign_out(hw)
    sim.clock.advance(timedelta(hours=167))  # 215 h after activation, 167 h after the sign-out
    sim.set_bulk_signin(delay=timedelta(0))  # completes at once
    batch_id = submit(client, sim, auth, [{"Username": upn, "HardwareId": dashed(hw)}]).json()["BatchId"]
    sim.set_bulk_signin(delay=timedelta(0))
    assert status(client, sim, auth, batch_id)["BatchItem"][0]["Status"] == "Success"


def test_batch_limits_are_refused_whole(client, sim, auth) -> None:
    upn = cap_user(sim)
    too_many = [{"Username": upn, "HardwareId": dashed(f"C0000000{n:04X}")} for n in range(101)]
    r = submit(client, sim, auth, too_many, region="APAC")
    assert r.status_code == 400 and "at most 100" in r.json()["error"]["message"]
    assert submit(client, sim, auth, too_many[:1], region="MARS").json()["error"]["code"] == "invalidRegion"
    before = len(sim.bulk_batches())
    ids = [submit(client, sim, auth, too_many[:100], region="APAC").json()["BatchId"] for _ in range(3)]
    fourth = submit(client, sim, auth, too_many[:1], region="APAC")
    assert fourth.status_code == 409 and fourth.json()["error"]["code"] == "tooManyBatchesInFlight"
    assert submit(client, sim, auth, too_many[:1], region="NOAM").status_code == 202  # other regions unaffected
    assert len(sim.bulk_batches()) == before + 4
    finish_all(sim)
    assert all(status(client, sim, auth, i)["BatchStatus"] == "Completed" for i in ids)
    assert submit(client, sim, auth, too_many[:1], region="APAC").status_code == 202


def test_a_client_reference_makes_resubmission_safe(client, sim, auth) -> None:
    item = [{"Username": cap_user(sim), "HardwareId": dashed(new_hw())}]
    first = submit(client, sim, auth, item, reference="ref-1").json()["BatchId"]
    assert submit(client, sim, auth, item, reference="ref-1").json()["BatchId"] == first
    assert submit(client, sim, auth, item, reference="ref-2").json()["BatchId"] != first
    finish_all(sim)


def test_unknown_batch_and_missing_role(client, sim, auth) -> None:
    r = client.get(f"{sim.bulk_signin_url}/bulksignin/v1/batches/nope", headers=auth())
    assert r.status_code == 404 and r.json()["error"]["code"] == "notFound"
    assert client.get(f"{sim.bulk_signin_url}/bulksignin/v1/batches/nope").status_code == 401
    sim.set_app_roles(["User.Read.All"])
    try:
        denied = token(client, sim, PROVISIONING)
        assert client.get(f"{sim.bulk_signin_url}/bulksignin/v1/batches/x", headers=denied).status_code == 403
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))


def test_control_endpoints_set_the_knobs_all_or_nothing(client, sim, auth) -> None:
    url = f"{sim.base_url}/_sim/bulk-signin"
    assert client.post(url, json={"delaySeconds": 0, "tenantIpTrusted": "no"}).status_code == 400
    assert client.get(url).json()["delaySeconds"] == 300  # the refused change left the delay alone
    r = client.post(url, json={"delaySeconds": 60, "tenantIpTrusted": False, "untrustedLocations": ["Lobby"]})
    assert r.status_code == 200 and r.json()["tenantIpTrusted"] is False and r.json()["delaySeconds"] == 60
    hw = new_hw()
    tag = client.post(f"{sim.base_url}/_sim/bulk-signin/devices/{dashed(hw)}/tag", json={"tagged": False})
    assert tag.status_code == 200 and hw in client.get(url).json()["untaggedDevices"]
    assert client.post(f"{sim.base_url}/_sim/bulk-signin/devices/{hw}/tag", json={}).status_code == 400
    client.post(f"{sim.base_url}/_sim/bulk-signin/devices/{hw}/tag", json={"tagged": True})
    assert hw not in client.get(url).json()["untaggedDevices"]
    activate(sim, hw)
    batch_id = submit(client, sim, auth, [{"Username": cap_user(sim), "HardwareId": dashed(hw)}]).json()["BatchId"]
    sim.clock.advance(timedelta(seconds=60))
    assert status(client, sim, auth, batch_id)["BatchItem"][0]["Error"] == "Public IP not configured as Trusted IP"
