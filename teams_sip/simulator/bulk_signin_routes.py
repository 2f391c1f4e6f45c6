"""HTTP faces of simulated bulk sign-in: the contract API (unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS,
behind the same token and fault pipeline as every simulated API) and its /_sim control knobs."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as WebRoute

from teams_sip.simulator import catalog
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse, not_found
from teams_sip.simulator.bulk_signin import BatchRefusedError, bulk_signins
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.world import World

if TYPE_CHECKING:
    from teams_sip.simulator.backend import Backend

PREFIX = "/bulksignin/v1"


@route("POST", r"/batches", catalog.PROVISIONING, "POST /bulksignin/v1/batches")
def submit_batch(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    body = req.body if isinstance(req.body, dict) else {}
    try:
        batch = bulk_signins(world).submit(world, body.get("region"), body.get("items"), body.get("clientReference"))
    except BatchRefusedError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    return ApiResponse(202, {"BatchId": batch.batch_id})


@route("GET", r"/batches/(?P<id>[^/]+)", catalog.PROVISIONING, "GET /bulksignin/v1/batches/{id}")
def batch_status(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    state = bulk_signins(world)
    batch = state.status(world, unquote(m["id"]))
    if batch is None:
        raise not_found(f"No bulk sign-in batch {unquote(m['id'])}.", "notFound")
    return ApiResponse(200, batch.as_json(state.status_hardware_ids))


BULK_SIGNIN_ROUTES: list[Route] = [submit_batch, batch_status]


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


async def _object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def bulk_control_routes(backend: Backend) -> list[WebRoute]:
    world = backend.world

    def view() -> dict[str, Any]:
        state = bulk_signins(world)
        state.settle(world)
        return {
            "delaySeconds": state.delay.total_seconds(),
            "tenantIpTrusted": state.tenant_ip_trusted,
            "untrustedLocations": sorted(state.untrusted_locations),
            "untaggedDevices": sorted(state.untagged),
            "batches": [b.as_json() for b in state.batches.values()],
        }

    async def knobs(request: Request) -> Response:
        """GET: batches and knobs. POST {delaySeconds, tenantIpTrusted, untrustedLocations}: all or nothing."""
        with world.lock:
            if request.method == "POST":
                try:
                    data = await _object(request)
                    delay = data.get("delaySeconds", bulk_signins(world).delay.total_seconds())
                    trusted = data.get("tenantIpTrusted", bulk_signins(world).tenant_ip_trusted)
                    places = data.get("untrustedLocations", sorted(bulk_signins(world).untrusted_locations))
                    if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
                        raise ValueError("delaySeconds must be a number of seconds, 0 or more")
                    if not isinstance(trusted, bool):
                        raise ValueError("tenantIpTrusted must be true or false")
                    if not isinstance(places, list) or not all(isinstance(p, str) for p in places):
                        raise ValueError("untrustedLocations must be a list of device locations")
                except ValueError as exc:
                    return _problem(400, "badBulkSignIn", str(exc))
                state = bulk_signins(world)
                state.delay, state.tenant_ip_trusted = timedelta(seconds=delay), trusted
                state.untrusted_locations = set(places)
            return JSONResponse(view())

    async def tag(request: Request) -> Response:
        """POST {"tagged": false}: the device was provisioned without /tenantid/<guid>."""
        hardware_id = request.path_params["hw"].replace("-", "").upper()
        try:
            data = await _object(request)
            tagged = data.get("tagged")
            if not isinstance(tagged, bool):
                raise ValueError("tagged must be true or false")
        except ValueError as exc:
            return _problem(400, "badBulkSignIn", str(exc))
        with world.lock:
            state = bulk_signins(world)
            (state.untagged.discard if tagged else state.untagged.add)(hardware_id)
            return JSONResponse({"hardwareId": hardware_id, "tagged": tagged})

    return [
        WebRoute("/_sim/bulk-signin", knobs, methods=["GET", "POST"]),
        WebRoute("/_sim/bulk-signin/devices/{hw}/tag", tag, methods=["POST"]),
    ]
