"""Files the admin brings back from Teams: `POST api/codes` (the verification-code export, assisted
mode), `POST api/signin-results` (the bulk sign-in result file written by our script) and
`POST api/inventory` (the admin center's SIP device export); and `POST api/devices/{id}/mark`, a
technician's "dialled" / "signed in" for one handset (service/inventory_upload.py)."""

from __future__ import annotations

import logging

import azure.functions as func

from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import HttpError, handler, json_response, read_json, read_upload
from teams_sip.entrypoints.functions.imports import check_spreadsheet, upload_cap
from teams_sip.observability import request_id
from teams_sip.service.code_import import import_codes
from teams_sip.service.inventory_upload import mark_handset, upload_inventory
from teams_sip.service.signin_results import ingest_signin_results

log = logging.getLogger(__name__)
bp = func.Blueprint()


@bp.route(route="api/codes", methods=["POST"])
@handler
def post_codes(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    upload = read_upload(req, upload_cap(rollout.ports.settings.rollout.import_max_mb))
    check_spreadsheet(upload)
    outcome = import_codes(rollout, upload.data, upload.filename, actor=caller.name, correlation_id=request_id.get())
    body = outcome.to_dict()
    log.info("code export %s by %s: %s", upload.filename, caller.name, body["summary"])
    return json_response(body, 200 if outcome.settled or not outcome.results else 400)


@bp.route(route="api/signin-results", methods=["POST"])
@handler
def post_signin_results(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    upload = read_upload(req, upload_cap(rollout.ports.settings.rollout.import_max_mb))
    check_spreadsheet(upload)
    summary = ingest_signin_results(rollout, upload.data, actor=caller.name, correlation_id=request_id.get())
    log.info("bulk sign-in results %s by %s", upload.filename, caller.name)
    return json_response({"lines": summary.lines(), "completed": summary.batches_completed,
                          "outcomes": dict(summary.outcomes), "errors": summary.errors})


@bp.route(route="api/inventory", methods=["POST"])
@handler
def post_inventory(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    upload = read_upload(req, upload_cap(rollout.ports.settings.rollout.import_max_mb))
    check_spreadsheet(upload)
    outcome = upload_inventory(rollout, upload.data, upload.filename, actor=caller.name,
                               correlation_id=request_id.get())
    body = outcome.to_dict()
    log.info("SIP device export %s by %s: %s", upload.filename, caller.name, body["summary"])
    return json_response(body, 202)


@bp.route(route="api/devices/{hardware_id}/mark", methods=["POST"])
@handler
def post_mark(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    mark = read_json(req).get("mark")
    if not isinstance(mark, str):
        raise HttpError(400, "badJson", '"mark" must be "dialled" or "signed in"')
    evidence = mark_handset(rollout, req.route_params.get("hardware_id", ""), mark, actor=caller.name,
                            correlation_id=request_id.get())
    log.info("technician mark on %s by %s: %s", req.route_params.get("hardware_id", ""), caller.name, evidence.said)
    return json_response({"said": evidence.said.value, "at": evidence.at.isoformat(), "by": caller.name,
                          "applied": "at the next reconciliation pass"}, 202)
