"""The SIP device observer over the simulated tenant (paging past 50, UPN lookup, sign-out,
offline, permissions) and the parsing rules on raw teamworkDevice entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.errors import PermissionDeniedError
from teams_sip.adapters.graph.teamwork_devices import (
    as_observed,
    collect,
    list_sip_devices,
    normalise_hardware_id,
    parse_device,
)
from teams_sip.domain.lifecycle.inputs import ObservedState
from teams_sip.errors import TeamsSipError
from teams_sip.simulator import SimulatedTenant
from tests.clients.conftest import sim_settings

from .conftest import NEVER_DIALLED, activated_ids

LIST = "GET /beta/teamwork/devices"


@pytest.fixture(scope="module")
def signed_in(sim: SimulatedTenant) -> dict[str, str]:
    """Every activated handset signed in by its own eligible user, as the pairing page would."""
    users = [u.upn for u in sim.scenario.users_with_case("eligible")]
    ids = activated_ids()
    assert len(users) >= len(ids)
    who = dict(zip(ids, users, strict=False))
    for hardware_id, upn in who.items():
        sim.sign_in(hardware_id, upn)
    return who


def test_lists_every_signed_in_device_across_pages_with_upns(sim, graph, signed_in) -> None:
    sim.reset_stats()
    devices = list_sip_devices(graph)
    assert len(devices) == len(signed_in) > 50
    assert [d.hardware_id for d in devices] == sorted(signed_in)
    assert {d.hardware_id: d.user_upn for d in devices} == signed_in
    assert all(d.signed_in and d.health == "healthy" and d.teams_id for d in devices)
    assert all(d.last_seen is not None and d.last_seen.tzinfo is not None for d in devices)
    assert NEVER_DIALLED not in {d.hardware_id for d in devices}  # Teams lists only signed-in-once devices
    assert devices.without_id == 0 and devices.duplicates == 0
    stats = sim.stats()
    assert stats["requests"][LIST] == 2  # 50 + 7: the next link was followed
    assert stats["innerBatchRequests"] == 4  # 57 ids, 15 per $filter, one $batch


def test_signed_out_and_offline_devices_map_to_the_lifecycle(sim, graph, signed_in) -> None:
    out, offline, stay = activated_ids()[0], activated_ids()[1], activated_ids()[2]
    sim.sign_out(out)
    sim.take_offline(offline)
    try:
        devices = {d.hardware_id: d for d in list_sip_devices(graph)}
        observed = as_observed(devices.values())
    finally:
        sim.sign_in(out, signed_in[out])
        sim.bring_online(offline)
    assert devices[out].signed_in is False and devices[out].user_upn is None
    assert observed[out].state is ObservedState.WAITING_FOR_SIGN_IN and observed[out].signed_in_user is None
    assert devices[offline].health == "offline"
    assert observed[stay].state is ObservedState.SIGNED_IN and observed[stay].signed_in_user == signed_in[stay]
    assert set(observed) == set(signed_in)


def test_missing_teamwork_permission_names_it(sim, signed_in) -> None:
    sim.set_app_roles(["User.Read.All"])
    settings = sim_settings(sim)
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as limited, pytest.raises(
            PermissionDeniedError
        ) as err:
            list_sip_devices(limited)
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))
    assert err.value.permission == "TeamworkDevice.Read.All" and "TeamworkDevice.Read.All" in str(err.value)


def test_missing_user_read_permission_is_a_clear_error(sim, signed_in) -> None:
    sim.set_app_roles(["TeamworkDevice.Read.All"])
    settings = sim_settings(sim)
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as limited, pytest.raises(
            TeamsSipError, match=r"User\.Read\.All"
        ) as err:
            list_sip_devices(limited)
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))
    assert "who is signed in" in str(err.value)


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ({"macAddresses": ["00-03-71-7c-0e-0a"], "uniqueId": "something else"}, "0003717C0E0A"),
        ({"macAddresses": ["00:04:D5:F9:80:00"]}, "0004D5F98000"),
        ({"macAddresses": ["garbage", "0004.d5f9.8001"]}, "0004D5F98001"),
        ({"macAddresses": [], "uniqueId": "0003717c0e0b"}, "0003717C0E0B"),
        ({"macAddresses": None, "uniqueId": "00 03 71 7C 0E 0C"}, "0003717C0E0C"),
    ],
)
def test_hardware_id_from_mac_addresses_or_unique_id(detail, expected) -> None:
    device = parse_device({"id": "t1", "hardwareDetail": detail, "currentUser": None})
    assert device is not None and device.hardware_id == expected


@pytest.mark.parametrize("value", [None, 42, "", "03717C0E0A", "0003717C0E0A0B", "00-03-71-7C-0E-0G"])
def test_values_that_are_not_hardware_ids(value) -> None:
    assert normalise_hardware_id(value) is None


def test_entries_without_hardware_id_are_skipped_and_counted_duplicates_merged() -> None:
    old = datetime(2025, 3, 1, tzinfo=UTC)
    items: list[dict[str, Any]] = [
        {"id": "a", "hardwareDetail": {"macAddresses": ["00-03-71-7C-0E-0A"]},
         "lastModifiedDateTime": old.isoformat().replace("+00:00", "Z"),
         "currentUser": {"id": "u-old", "displayName": "Old"}},
        {"id": "b", "hardwareDetail": {"macAddresses": ["0003717C0E0A"]},
         "lastModifiedDateTime": (old + timedelta(days=2)).isoformat(), "currentUser": {"id": "u-new"}},
        {"id": "c", "hardwareDetail": {"macAddresses": [], "uniqueId": "not-a-mac"}},
        {"id": "d", "hardwareDetail": None},
        {"id": "e"},
        {"id": "f", "hardwareDetail": {"uniqueId": "0004D5F98000"}, "currentUser": {"id": "gone", "displayName": "X"},
         "lastModifiedDateTime": "not a date", "healthStatus": 7},
    ]
    devices = collect(items, {"u-new": "new@contoso.example"})
    assert devices.without_id == 3 and devices.duplicates == 1
    assert [(d.teams_id, d.user_upn) for d in devices] == [("b", "new@contoso.example"), ("f", None)]
    gone = devices[1]
    assert gone.signed_in and gone.user_id == "gone" and gone.last_seen is None and gone.health == "unknown"
    assert as_observed(devices)["0004D5F98000"].state is ObservedState.SIGNED_IN
