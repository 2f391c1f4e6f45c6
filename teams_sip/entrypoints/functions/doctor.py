"""`GET api/doctor` (the admin page's "Check my tenant"): the doctor's read-only probes as JSON, or
`?format=markdown` as the file an admin attaches to a support request. Admins only, like every API."""

from __future__ import annotations

import azure.functions as func

from teams_sip.config import Settings
from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import handler, json_response
from teams_sip.service.doctor import DoctorReport, run_doctor
from teams_sip.service.doctor.render import render_markdown

bp = func.Blueprint()


@bp.route(route="api/doctor", methods=["GET"])
@handler
def doctor(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    report = _diagnose(rollout.ports.settings)
    if req.params.get("format") == "markdown":
        return func.HttpResponse(render_markdown(report), status_code=200, mimetype="text/markdown",
                                 headers={"Cache-Control": "no-store"})
    return json_response(report.as_json())


def _diagnose(settings: Settings) -> DoctorReport:
    from teams_sip.bootstrap import build_doctor

    port, options = build_doctor(settings)
    try:
        return run_doctor(port, options)
    finally:
        port.close()
