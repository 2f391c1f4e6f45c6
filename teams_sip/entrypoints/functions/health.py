"""`GET /api/health`: answers without touching the tenant, so probes never cost Graph requests."""

from __future__ import annotations

import json

import azure.functions as func

from teams_sip import __version__

bp = func.Blueprint()


@bp.route(route="api/health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def health(req: func.HttpRequest) -> func.HttpResponse:
    body = json.dumps({"status": "ok", "version": __version__})
    return func.HttpResponse(body, status_code=200, mimetype="application/json")
