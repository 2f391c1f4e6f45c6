"""The rollout at a glance: `GET api/summary` (counts per site and state, today's installs, devices
that need a person) and `POST api/run` (an admin's "run a reconciliation pass now", optionally with
`{"checkAllUsers": true}` to ask Graph about every user again)."""

from __future__ import annotations

import logging

import azure.functions as func

from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import HttpError, handler, json_response, read_json
from teams_sip.observability import request_id
from teams_sip.service.views import Views

log = logging.getLogger(__name__)
bp = func.Blueprint()


@bp.route(route="api/summary", methods=["GET"])
@handler
def summary(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    return json_response(Views(rollout).summary())


@bp.route(route="api/run", methods=["POST"])
@handler
def run_now(req: func.HttpRequest) -> func.HttpResponse:
    rollout, caller = admin(req)
    options = read_json(req) if req.get_body() else {}
    check_all = options.get("checkAllUsers", False)
    refresh = options.get("refreshPolicies", False)  # take a new configuration snapshot in this pass
    if not isinstance(check_all, bool) or not isinstance(refresh, bool) or set(options) - {
            "checkAllUsers", "refreshPolicies"}:
        raise HttpError(400, "badRequest",
                        'the body may only hold {"checkAllUsers": true|false, "refreshPolicies": true|false}')
    outcome = rollout.run_pass(actor=caller.name, correlation_id=request_id.get(), check_all_users=check_all,
                               refresh_policies=refresh)
    if not outcome.ran or outcome.report is None or outcome.execution is None:
        raise HttpError(409, "passRunning", outcome.message)
    execution = outcome.execution
    text = (f"Pass complete: {outcome.message}, {len(execution.registered)} registered, "
            f"{len(execution.issued)} code(s) issued, {len(execution.failures)} failure(s).")
    log.info("pass run by %s: %s", caller.name, text)
    return json_response({"summary": text, "report": outcome.report.to_dict(), "signin": list(outcome.signin)})
