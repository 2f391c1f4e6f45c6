"""The SIP device inventory read as Microsoft documents it, and every way it can fail: relative next
links, refused links, a retired or failing listing as a reason (never an exception), PascalCase
enums and interface-prefixed MAC addresses."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.errors import GraphError
from teams_sip.adapters.graph.paging import iter_pages, resolve_next_link
from teams_sip.adapters.graph.teamwork_devices import list_sip_devices, normalise_hardware_id, read_sip_inventory
from teams_sip.simulator import SimulatedTenant
from tests.clients.conftest import sim_settings

from .conftest import activated_ids

LIST = "GET /beta/teamwork/devices"
ROOT = "https://graph.example/beta"


@pytest.fixture(scope="module")
def signed_in(sim: SimulatedTenant) -> dict[str, str]:
    users = [u.upn for u in sim.scenario.users_with_case("eligible")]
    who = dict(zip(activated_ids(), users, strict=False))
    for hardware_id, upn in who.items():
        if sim.world.devices.devices[hardware_id].state != "signedIn":
            sim.sign_in(hardware_id, upn)
    return who


class _Pages:
    """A stand-in for Graph answering fixed pages by URL (the foreign Graph, not our code)."""

    def __init__(self, pages: Mapping[str, dict[str, Any]]) -> None:
        self.pages = dict(pages)
        self.asked: list[str] = []

    def url(self, path: str, *, beta: bool = False) -> str:
        return path if "://" in path else f"{ROOT}/{path.lstrip('/')}"

    async def get_json(self, url: str, params: Mapping[str, str] | None = None,
                       headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        self.asked.append(url)
        return self.pages[url]


def _read(pages: _Pages) -> list[list[dict[str, Any]]]:
    async def run() -> list[list[dict[str, Any]]]:
        return [page async for page in iter_pages(pages, "/teamwork/devices", beta=True)]  # type: ignore[arg-type]

    return asyncio.run(run())


def test_relative_next_link_is_followed_against_the_version_root() -> None:
    nxt = "/teamwork/devices?$filter=deviceType+eq+%27sip%27&$top=2&$skiptoken=abc"
    pages = _Pages({f"{ROOT}/teamwork/devices": {"value": [{"id": "1"}], "@odata.nextLink": nxt},
                    f"{ROOT}{nxt}": {"value": [{"id": "2"}]}})
    assert [[i["id"] for i in p] for p in _read(pages)] == [["1"], ["2"]]
    assert pages.asked[1] == f"{ROOT}/teamwork/devices?$filter=deviceType+eq+%27sip%27&$top=2&$skiptoken=abc"


@pytest.mark.parametrize("link", ["https://evil.example/beta/teamwork/devices?$skiptoken=x",
                                  "//evil.example/beta/teamwork/devices?$skiptoken=x"])
def test_a_next_link_to_another_host_is_refused(link: str) -> None:
    pages = _Pages({f"{ROOT}/teamwork/devices": {"value": [], "@odata.nextLink": link}})
    with pytest.raises(GraphError, match="another host") as err:
        _read(pages)
    assert err.value.code == "unexpectedNextLink" and pages.asked == [f"{ROOT}/teamwork/devices"]


def test_a_repeated_next_link_is_refused() -> None:
    nxt = "/teamwork/devices?$skiptoken=same"
    pages = _Pages({f"{ROOT}/teamwork/devices": {"value": [], "@odata.nextLink": nxt},
                    f"{ROOT}{nxt}": {"value": [{"id": "2"}], "@odata.nextLink": nxt}})
    with pytest.raises(GraphError, match="repeats") as err:
        _read(pages)
    assert err.value.code == "repeatedNextLink"


def test_resolve_keeps_absolute_links() -> None:
    assert resolve_next_link(f"{ROOT}/users?$skiptoken=1", "https://other/v1.0") == f"{ROOT}/users?$skiptoken=1"


def test_the_simulated_listing_pages_as_documented(sim, graph, signed_in) -> None:
    beta = sim.graph_beta_url
    first = graph.get_json("/teamwork/devices", beta=True)
    assert len(first["value"]) == 20 and first["@odata.nextLink"].startswith("/teamwork/devices?")
    assert len(graph.get_json("/teamwork/devices", {"$top": "50"}, beta=True)["value"]) == 50
    with pytest.raises(GraphError) as err:
        graph.get_json(f"{beta}/teamwork/devices", {"$top": "51"})
    assert err.value.status == 400


@pytest.mark.parametrize("prefix", ["LAN:", "WIFI:", ""])
def test_interface_prefixed_mac_addresses_match_the_handset(sim, graph, signed_in, prefix) -> None:
    sim.set_teamwork(mac_prefix=prefix, enum_case="pascal")
    try:
        devices = list_sip_devices(graph)
    finally:
        sim.set_teamwork(mac_prefix="", enum_case="camel")
    assert {d.hardware_id: d.user_upn for d in devices} == signed_in
    assert all(d.health == "healthy" and d.activity == "idle" for d in devices)  # "Healthy", "Idle" as sent


@pytest.mark.parametrize(("value", "expected"), [("LAN:00-11-22-33-44-55", "001122334455"),
                                                 ("wifi:00:11:22:33:44:5a", "00112233445A"),
                                                 ("Ethernet 1:0011.2233.4455", "001122334455"),
                                                 ("aa:bb:cc:dd:ee:ff", "AABBCCDDEEFF"),
                                                 ("LAN:AA-BB-CC-DD-EE-0F", "AABBCCDDEE0F")])
def test_prefixed_forms(value: str, expected: str) -> None:
    assert normalise_hardware_id(value) == expected


@pytest.mark.parametrize(("listing", "status"), [("retired", 404), ("gone", 410), ("failing", 500)])
def test_a_failing_listing_is_a_reason_not_an_exception(sim, graph, signed_in, listing, status) -> None:
    sim.set_teamwork(listing=listing)
    try:
        inventory = read_sip_inventory(graph)
    finally:
        sim.set_teamwork(listing="documented")
    assert inventory.devices is None and f"answered {status}" in inventory.reason


def test_a_timeout_and_a_missing_permission_are_reasons(sim, signed_in) -> None:
    settings = sim_settings(sim, HTTP_TIMEOUT_SECONDS="0.2", HTTP_MAX_RETRIES="1")
    sim.set_teamwork(listing="slow", slow_seconds=1.0)
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
            slow = read_sip_inventory(session)
    finally:
        sim.set_teamwork(listing="documented")
    assert slow.devices is None and "could not be reached" in slow.reason
    sim.set_app_roles(["User.Read.All"])
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as session:
            denied = read_sip_inventory(session)
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))
    assert denied.devices is None and "403" in denied.reason and "TeamworkDevice.Read.All" in denied.reason


def test_an_empty_answer_is_an_answer(sim, graph, signed_in) -> None:
    sim.set_teamwork(listing="empty")
    try:
        inventory = read_sip_inventory(graph)
    finally:
        sim.set_teamwork(listing="documented")
    assert inventory.devices is not None and len(inventory.devices) == 0
