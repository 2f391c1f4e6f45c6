"""The provisioning API client over docs/provisioning-api.md, against the simulated tenant."""

from datetime import timedelta

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.provisioning.api_client import build_provisioning_client
from teams_sip.errors import InputError
from teams_sip.service.ports.provisioning import (
    DeviceAlreadyActivatedError,
    DeviceRegistration,
    ProvisioningError,
    ProvisioningPort,
)
from teams_sip.simulator import DeviceActionError

from .conftest import sim_settings


@pytest.fixture
def client(sim):
    settings = sim_settings(sim)
    with build_provisioning_client(settings, build_token_provider(settings, sim.clock)) as c:
        yield c


def test_client_satisfies_the_port(client) -> None:
    port: ProvisioningPort = client
    assert port is client


def test_register_is_idempotent_and_normalises_ids(client) -> None:
    first = client.register(
        [DeviceRegistration("00-03-71-7C-0E-0A", "Ward 1"), DeviceRegistration("a0b1c2d3e4f5", "Ward 2")]
    )
    assert [(r.hardware_id, r.status) for r in first] == [("0003717C0E0A", "created"), ("A0B1C2D3E4F5", "created")]
    again = client.register([DeviceRegistration("0003717C0E0A", "Ward 1")])
    assert again[0].status == "exists"
    device = client.get("00:03:71:7c:0e:0a")
    assert device is not None and device.state == "waitingOnActivation" and device.location == "Ward 1"


def test_a_rollout_is_registered_in_calls_of_500_side_by_side_answered_in_order(client, sim) -> None:
    devices = [DeviceRegistration(f"C0000000{i:04X}", f"Ward {i % 7}") for i in range(1201)]
    sim.reset_stats()
    results = client.register(devices)
    assert sim.stats()["requests"]["POST /provisioning/v1/devices/register"] == 3
    assert [r.hardware_id for r in results] == [d.hardware_id for d in devices]
    assert {r.status for r in results} == {"created"}
    assert {d.hardware_id for d in client.list_devices("waitingOnActivation")} >= {d.hardware_id for d in devices}


def test_bad_input_is_refused_before_anything_is_registered(client) -> None:
    before = {d.hardware_id for d in client.list_devices()}
    with pytest.raises(InputError, match="hardware id"):
        client.register([DeviceRegistration("B00000000001", "Lab"), DeviceRegistration("not-a-mac", "Lab")])
    with pytest.raises(InputError, match="location"):
        client.register([DeviceRegistration("B00000000002", " ")])
    assert {d.hardware_id for d in client.list_devices()} == before


def test_codes_are_secret_expire_after_24_hours_and_replace_earlier_ones(client, sim) -> None:
    client.register([DeviceRegistration("C00000000001", "Lab")])
    issued = client.issue_codes(["C00000000001", "C0000000FFFF"])
    good, unknown = issued
    assert good.ok and good.expires_at == sim.clock.now() + timedelta(hours=24)
    assert good.code.reveal() not in repr(good)
    assert not unknown.ok and unknown.error_code == "notRegistered"
    replacement = client.issue_codes(["C00000000001"])[0]
    assert replacement.code != good.code
    with pytest.raises(DeviceActionError):  # the simulated handset refuses the replaced code
        sim.dial_code("C00000000001", good.code.reveal())
    sim.clock.advance(timedelta(hours=24, minutes=1))
    with pytest.raises(DeviceActionError):  # and the expired one
        sim.dial_code("C00000000001", replacement.code.reveal())
    assert client.get("C00000000001").state == "waitingOnActivation"


def test_list_pages_through_every_device_and_filters_by_state(client) -> None:
    ids = [f"D0{n:010X}" for n in range(1, 151)]
    client.register([DeviceRegistration(h, "Store") for h in ids])
    listed = client.list_devices()
    assert set(ids) <= {d.hardware_id for d in listed} and len(listed) >= 150
    waiting = client.list_devices("waitingOnActivation")
    assert all(d.state == "waitingOnActivation" for d in waiting)
    with pytest.raises(InputError):
        client.list_devices("lost")


def test_remove_only_before_activation(client, sim) -> None:
    client.register([DeviceRegistration("E00000000001", "Lab"), DeviceRegistration("E00000000002", "Lab")])
    assert client.remove("E00000000001") is True
    assert client.get("E00000000001") is None
    assert client.remove("E00000000001") is False
    code = client.issue_codes(["E00000000002"])[0].code
    sim.dial_code("E00000000002", code.reveal())
    assert client.get("E00000000002").state == "waitingForSignIn"
    with pytest.raises(DeviceAlreadyActivatedError):
        client.remove("E00000000002")
    assert client.issue_codes(["E00000000002"])[0].error_code == "alreadyActivated"


def test_signed_out_devices_disappear_after_14_days(client, sim) -> None:
    client.register([DeviceRegistration("F00000000001", "Lab")])
    sim.dial_code("F00000000001", client.issue_codes(["F00000000001"])[0].code.reveal())
    sim.clock.advance(timedelta(days=14, hours=1))
    assert client.get("F00000000001") is None


def test_a_refused_token_names_no_invented_permission(client, sim) -> None:
    """API mode speaks our contract; Microsoft documents no permission for it, so none is named."""
    sim.set_app_roles(["User.Read.All"])
    try:
        with pytest.raises(ProvisioningError) as caught:
            client.register([DeviceRegistration("00-03-71-7C-0E-0B", "Ward 1")])
    finally:
        from teams_sip.simulator.catalog import ALL_ROLES

        sim.set_app_roles(list(ALL_ROLES))
    text = str(caught.value)
    assert caught.value.status == 403 and "TeamsDevice.ReadWrite.All" not in text and "grant" not in text


def test_no_production_mapping_pretends_to_exist() -> None:
    from teams_sip import unverified

    assert not hasattr(unverified, "PROVISIONING_ENDPOINTS") and not hasattr(unverified, "BULK_SIGNIN_ENDPOINTS")
    assert not hasattr(unverified, "PROVISIONING_BASE_URL")


def test_provisioning_scope_names_the_gateways_own_app_registration(sim) -> None:
    """A gateway implementing our contract has its own scope; the client asks for that one. The simulator
    accepts only its default, so a Graph-scoped token is refused there: proof the setting is used."""
    settings = sim_settings(sim, PROVISIONING_SCOPE="https://graph.microsoft.com/.default", HTTP_MAX_RETRIES="0")
    assert settings.provisioning_scope == "https://graph.microsoft.com/.default"
    with build_provisioning_client(settings, build_token_provider(settings, sim.clock)) as other, \
            pytest.raises(ProvisioningError) as caught:
        other.list_devices()
    assert caught.value.status == 401
