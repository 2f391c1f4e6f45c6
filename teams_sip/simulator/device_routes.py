"""Device-facing APIs: Graph beta teamwork devices, our provisioning contract
(docs/provisioning-api.md) and the Teams admin API's calling-policy settings."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import unquote

from teams_sip import unverified
from teams_sip.simulator import catalog, invented
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse, bad_request, not_found
from teams_sip.simulator.devices import SIGNED_IN, Device, DeviceActionError
from teams_sip.simulator.odata import page, parse_filter, parse_top, resolve_query
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.scenario import DEVICE_STATES
from teams_sip.simulator.teamwork import PAGE_DEFAULT, PAGE_MAX, wait_outside
from teams_sip.simulator.world import World

MAX_BULK = invented.PROVISIONING_BULK_LIMIT
_HARDWARE_ID = re.compile(r"^[0-9A-F]{12}$")


def _iso(world: World, when: Any) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


def teamwork_json(world: World, d: Device) -> dict[str, Any]:
    """One teamworkDevice with the properties of Microsoft's resource page (invented.py marks the
    values no page shows: the MAC form and the uniqueId)."""
    now, tw = world.now(), world.teamwork
    mac = tw.mac_prefix + "-".join(d.hardware_id[i : i + 2] for i in range(0, 12, 2))  # invented.TEAMWORK_MAC_FORM
    user = (
        {"id": d.signed_in_user_id, "displayName": d.signed_in_name, "userIdentityType": "aadUser"}
        if d.state == SIGNED_IN
        else None
    )
    activity = ("idle" if d.state == SIGNED_IN else "unavailable") if d.online else "unknown"
    return {
        "id": d.teamwork_id,
        "deviceType": tw.spell("sip"),
        "hardwareDetail": {
            "serialNumber": None,
            "uniqueId": invented.teamwork_unique_id(d.teamwork_id),
            "macAddresses": [mac],
            "manufacturer": "Poly" if d.hardware_id.startswith("000") else "Yealink",
            "model": "Rove 30" if d.hardware_id.startswith("000") else "T58A",
        },
        "notes": d.location or None,
        "companyAssetTag": None,
        "healthStatus": tw.spell("healthy" if d.online else "offline"),
        "activityState": tw.spell(activity),
        "createdDateTime": _iso(world, d.first_signed_in_at),
        "lastModifiedDateTime": _iso(world, d.last_seen(now)),  # invented.TEAMWORK_LAST_MODIFIED
        "createdBy": None,
        "lastModifiedBy": None,
        "currentUser": user,
    }


def _teamwork_devices(world: World) -> list[Device]:
    """Teams lists a SIP device only after its first sign-in."""
    devices = [d for d in world.devices.devices.values() if d.first_signed_in_at is not None]
    return sorted(devices, key=lambda d: (d.first_signed_in_at, d.hardware_id))


def _teamwork_answers(world: World) -> None:
    """The scenario's reading of the API's state: retired, failing, slow (or as documented)."""
    listing = world.teamwork.listing
    if listing == "retired":
        raise ApiError(404, invented.TEAMWORK_RETIRED_CODE, "Resource not found for the segment 'devices'.")
    if listing == "gone":
        raise ApiError(410, invented.TEAMWORK_RETIRED_CODE, "The teamworkDevice APIs are no longer supported.")
    if listing == "failing":
        raise ApiError(500, "InternalServerError", "An internal server error occurred.")
    if listing == "slow":
        wait_outside(world.lock, world.teamwork.slow_seconds)


@route("GET", r"/teamwork/devices", catalog.TEAMWORK_READ, "GET /beta/teamwork/devices")
def list_teamwork_devices(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    _teamwork_answers(world)
    query, offset = resolve_query(req)
    top = parse_top(query, PAGE_MAX, PAGE_DEFAULT)
    devices = [] if world.teamwork.listing == "empty" else _teamwork_devices(world)
    if "$filter" in query:
        keep = parse_filter(query["$filter"], {"deviceType": lambda _d: "sip"}, "microsoft.graph.teamworkDevice")
        devices = [d for d in devices if keep(d)]
    window = [teamwork_json(world, d) for d in devices[offset : offset + top]]
    body = page(req, window, len(devices), query, offset, top)
    if "@odata.nextLink" in body:  # relative to the version root, as the documented example answer shows
        body["@odata.nextLink"] = body["@odata.nextLink"].removeprefix(req.root)
    return ApiResponse(200, body)


@route("GET", r"/teamwork/devices/(?P<id>[^/]+)", catalog.TEAMWORK_READ, "GET /beta/teamwork/devices/{id}")
def get_teamwork_device(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    _teamwork_answers(world)
    for d in _teamwork_devices(world) if world.teamwork.listing != "empty" else []:
        if d.teamwork_id == m["id"]:
            return ApiResponse(200, teamwork_json(world, d))
    raise not_found(f"Device '{m['id']}' was not found.", "NotFound")


# --- provisioning contract --------------------------------------------------------------------

def _id_list(body: Any, key: str) -> list[Any]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_BULK:
        raise bad_request(f"The body must be {{\"{key}\": [...]}} with 1 to {MAX_BULK} entries.", "invalidRequest")
    return items


def _bad_id(hardware_id: Any) -> dict[str, str] | None:
    if isinstance(hardware_id, str) and _HARDWARE_ID.match(hardware_id):
        return None
    return {"code": "invalidHardwareId", "message": f"{hardware_id!r} is not 12 upper-case hex digits"}


@route("POST", r"/devices/register", catalog.PROVISIONING, "POST /provisioning/v1/devices/register")
def register(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    results: list[dict[str, Any]] = []
    now = world.now()
    for item in _id_list(req.body, "devices"):
        hardware_id = item.get("hardwareId") if isinstance(item, dict) else None
        location = item.get("location", "") if isinstance(item, dict) else None
        error = _bad_id(hardware_id)
        if error is None and not isinstance(location, str):
            error = {"code": "invalidLocation", "message": "location must be a string"}
        if error is not None:
            results.append({"hardwareId": hardware_id, "status": "failed", "error": error})
            continue
        assert isinstance(hardware_id, str) and isinstance(location, str)
        results.append({"hardwareId": hardware_id, "status": world.devices.register(hardware_id, location, now)})
    return ApiResponse(200, {"results": results})


@route("POST", r"/devices/issueCodes", catalog.PROVISIONING, "POST /provisioning/v1/devices/issueCodes")
def issue_codes(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    results: list[dict[str, Any]] = []
    now = world.now()
    for hardware_id in _id_list(req.body, "hardwareIds"):
        error = _bad_id(hardware_id)
        if error is not None:
            results.append({"hardwareId": hardware_id, "error": error})
            continue
        try:
            code, expires = world.devices.issue_code(hardware_id, now)
        except DeviceActionError as exc:
            results.append({"hardwareId": hardware_id, "error": {"code": exc.code, "message": exc.message}})
            continue
        results.append({"hardwareId": hardware_id, "code": code.reveal(), "expiresAt": _iso(world, expires)})
    return ApiResponse(200, {"results": results})


def _continuation(token: str | None, state: str | None) -> int:
    if token is None:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=" * (-len(token) % 4)))
        if not isinstance(data, dict) or data.get("s") != state or not isinstance(data.get("o"), int):
            raise ValueError("token does not belong to this query")
        return int(data["o"])
    except (ValueError, binascii.Error):
        raise bad_request("The continuationToken is not valid for this query.", "invalidRequest") from None


@route("GET", r"/devices", catalog.PROVISIONING, "GET /provisioning/v1/devices")
def list_devices(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    state = req.query.get("state") or None
    if state is not None and state not in DEVICE_STATES:
        raise bad_request(f"state must be one of {', '.join(DEVICE_STATES)}.", "invalidRequest")
    try:
        size = int(req.query.get("pageSize", "100"))
    except ValueError:
        size = 0
    if not 1 <= size <= 100:
        raise bad_request("pageSize must be a whole number from 1 to 100.", "invalidRequest")
    offset = _continuation(req.query.get("continuationToken"), state)
    devices = world.devices.in_order()
    if state is not None:
        devices = [d for d in devices if d.state == state]
    now = world.now()
    window = [d.contract_json(now) for d in devices[offset : offset + size]]
    token = None
    if offset + size < len(devices):
        raw = json.dumps({"o": offset + size, "s": state}, separators=(",", ":")).encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return ApiResponse(200, {"devices": window, "continuationToken": token})


@route("GET", r"/devices/(?P<hw>[^/]+)", catalog.PROVISIONING, "GET /provisioning/v1/devices/{hardwareId}")
def get_device(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    device = world.devices.devices.get(unquote(m["hw"]))
    if device is None:
        raise not_found(f"Device {unquote(m['hw'])} is not registered.", "notFound")
    return ApiResponse(200, device.contract_json(world.now()))


@route("DELETE", r"/devices/(?P<hw>[^/]+)", catalog.PROVISIONING, "DELETE /provisioning/v1/devices/{hardwareId}")
def remove_device(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    try:
        world.devices.remove(unquote(m["hw"]), world.now())
    except DeviceActionError as exc:
        raise ApiError(404 if exc.code == "notFound" else 409, exc.code, exc.message) from None
    return ApiResponse(204)


# --- calling-policy settings (Teams admin API, unverified shape) -----------------------------

def _policy_json(world: World, name: str) -> dict[str, Any]:
    p = world.calling_policies[name]
    return {
        unverified.POLICY_FIELD_IDENTITY: p.identity,
        unverified.POLICY_FIELD_ALLOW_SIP_DEVICES: p.allow_sip_devices,
        unverified.POLICY_FIELD_ALLOW_CALL_REDIRECT: p.allow_call_redirect,
        invented.POLICY_ADMIN_EXTRA_FIELD: None,
    }


_POLICY_PATH = re.escape(unverified.POLICY_ADMIN_PATH)


@route("GET", _POLICY_PATH, catalog.POLICY_SETTINGS_READ, "GET policyadmin TeamsCallingPolicy")
def list_policy_settings(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    return ApiResponse(200, [_policy_json(world, n) for n in world.calling_policies])


@route("GET", _POLICY_PATH + r"/(?P<identity>[^/]+)", catalog.POLICY_SETTINGS_READ, "GET policyadmin policy")
def get_policy_settings(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    name = unquote(m["identity"]).removeprefix("Tag:")
    if name not in world.calling_policies:
        raise not_found(f"Calling policy '{unquote(m['identity'])}' was not found.", "NotFound")
    return ApiResponse(200, _policy_json(world, name))


BETA_ROUTES: list[Route] = [list_teamwork_devices, get_teamwork_device]
PROVISIONING_ROUTES: list[Route] = [register, issue_codes, list_devices, get_device, remove_device]
POLICY_ROUTES: list[Route] = [list_policy_settings, get_policy_settings]
