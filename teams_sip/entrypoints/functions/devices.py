"""Devices: `GET api/devices` (filters site, state, install_date; paged), `GET api/devices/{hardware_id}`
(record and history) and `POST api/devices/{hardware_id}/renew-code` (admin-requested code)."""

from __future__ import annotations

import logging

import azure.functions as func

from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import HttpError, handler, json_response, read_json
from teams_sip.observability import request_id
from teams_sip.service.renewal import renew_code
from teams_sip.service.views import PAGE_SIZE, Views

log = logging.getLogger(__name__)
bp = func.Blueprint()


@bp.route(route="api/devices", methods=["GET"])
@handler
def list_devices(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    limit = req.params.get("limit") or str(PAGE_SIZE)
    if not limit.isdigit():
        raise HttpError(400, "badLimit", "limit must be a whole number")
    page = Views(rollout).devices(site=req.params.get("site"), state=req.params.get("state"),
                                  install_date=req.params.get("install_date"), page=req.params.get("page"),
                                  limit=int(limit))
    return json_response(page)


@bp.route(route="api/devices/{hardware_id}", methods=["GET"])
@handler
def get_device(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    return json_response(Views(rollout).device(req.route_params.get("hardware_id", "")))


@bp.route(route="api/devices/{hardware_id}/renew-code", methods=["POST"])
@handler
def renew_device_code(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    force = (req.params.get("force") or "").lower() in ("1", "true", "yes")
    if req.get_body():
        body = read_json(req)
        if not isinstance(body.get("force", False), bool):
            raise HttpError(400, "badJson", '"force" must be true or false')
        force = force or bool(body.get("force", False))
    outcome = renew_code(rollout, req.route_params.get("hardware_id", ""), force=force, actor=caller.name,
                         correlation_id=request_id.get())
    log.info("code renewal for %s by %s: %s", outcome.hardware_id, caller.name, outcome.status)
    return json_response({"hardware_id": outcome.hardware_id, "status": outcome.status, "message": outcome.message,
                          "code_expires_local": outcome.expires_local}, 202)
