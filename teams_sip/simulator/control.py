"""/_sim control endpoints for driving the simulated tenant from outside the process (the
`teams-sip simulator` command): clock, faults, stats, device actions, outbox. Loopback only,
no authentication, never part of any Microsoft API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from teams_sip.errors import InputError
from teams_sip.simulator.devices import DeviceActionError
from teams_sip.simulator.invented import CONTROL_PREFIX as CONTROL

if TYPE_CHECKING:
    from teams_sip.simulator.backend import Backend


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("the body must be a JSON object") from None
    if not isinstance(data, dict):
        raise InputError("the body must be a JSON object")
    return data


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status)


def mail_json(m: Any) -> dict[str, Any]:
    return {
        "from": m.sender,
        "to": list(m.to),
        "cc": list(m.cc),
        "subject": m.subject,
        "contentType": m.content_type,
        "body": m.body,
        "attachments": [{"name": n, "contentType": t, "size": s} for n, t, s in m.attachments],
        "sentAt": m.sent_at.isoformat().replace("+00:00", "Z"),
    }


def control_routes(backend: Backend) -> list[Route]:
    world, faults = backend.world, backend.faults

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            try:
                data = await _body(request)
                if "set" in data:
                    world.clock.set(datetime.fromisoformat(str(data["set"])))
                else:
                    parts = {k: float(data.get(k, 0)) for k in ("days", "hours", "minutes", "seconds")}
                    world.clock.advance(timedelta(**parts))
            except (InputError, ValueError, TypeError) as exc:
                return _problem(400, "badClock", str(exc))
        return JSONResponse({"now": world.tick().isoformat().replace("+00:00", "Z")})

    async def fault_settings(request: Request) -> Response:
        if request.method == "POST":
            try:
                faults.configure(await _body(request))
            except InputError as exc:
                return _problem(400, "badFaults", str(exc))
        return JSONResponse(faults.settings.as_dict())

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            faults.reset_stats()
        return JSONResponse(faults.stats())

    async def state(request: Request) -> Response:
        return JSONResponse(world.summary())

    async def devices(request: Request) -> Response:
        with world.lock:
            now = world.tick()
            listed = [d.contract_json(now) | {"online": d.online} for d in world.devices.devices.values()]
            removed = [
                {"hardwareId": r.hardware_id, "at": r.at.isoformat().replace("+00:00", "Z"), "reason": r.reason}
                for r in world.devices.removals
            ]
        return JSONResponse({"devices": listed, "removed": removed})

    async def device_action(request: Request) -> Response:
        hardware_id, action = request.path_params["hw"], request.path_params["action"]
        try:
            data = await _body(request)
            with world.lock:
                now = world.tick()
                if action == "dial":
                    world.devices.dial(hardware_id, str(data.get("code", "")), now)
                elif action == "sign-in":
                    world.sign_in(hardware_id, str(data.get("upn", "")))
                elif action == "sign-out":
                    world.devices.sign_out(hardware_id, now)
                elif action in ("offline", "online"):
                    world.devices.set_online(hardware_id, action == "online", now)
                else:
                    return _problem(404, "unknownAction", "actions: dial, sign-in, sign-out, offline, online")
                return JSONResponse(world.devices.devices[hardware_id].contract_json(now))
        except DeviceActionError as exc:
            return _problem(409, exc.code, exc.message)
        except InputError as exc:
            return _problem(400, "badRequest", str(exc))

    async def outbox(request: Request) -> Response:
        with world.lock:
            if request.method == "DELETE":
                world.outbox.clear()
            return JSONResponse({"mails": [mail_json(m) for m in world.outbox]})

    return [
        Route(f"{CONTROL}/clock", clock, methods=["GET", "POST"]),
        Route(f"{CONTROL}/faults", fault_settings, methods=["GET", "POST"]),
        Route(f"{CONTROL}/stats", stats, methods=["GET", "DELETE"]),
        Route(f"{CONTROL}/state", state, methods=["GET"]),
        Route(f"{CONTROL}/devices", devices, methods=["GET"]),
        Route(f"{CONTROL}/devices/{{hw}}/{{action}}", device_action, methods=["POST"]),
        Route(f"{CONTROL}/outbox", outbox, methods=["GET", "DELETE"]),
    ]
