"""The admin page at `/` and its assets at `/static/{name}`. Anonymous: the page holds no data; every
API call it makes carries the function key (or Entra sign-in) like any other client."""

from __future__ import annotations

import azure.functions as func

from teams_sip.entrypoints.functions.http import handler
from teams_sip.service.views import NotFoundError
from teams_sip.web import asset

bp = func.Blueprint()
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"}


def _serve(name: str) -> func.HttpResponse:
    found = asset(name)
    if found is None:
        raise NotFoundError(f"No page {name[:60]!r}.")
    data, media = found
    return func.HttpResponse(data, status_code=200, mimetype=media, charset="utf-8", headers=dict(_HEADERS))


@bp.route(route="static/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handler
def static_asset(req: func.HttpRequest) -> func.HttpResponse:
    return _serve(req.route_params.get("name", ""))


@bp.route(route="{page?}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handler
def index(req: func.HttpRequest) -> func.HttpResponse:
    page = req.route_params.get("page") or "index.html"
    if page != "index.html":
        raise NotFoundError(f"No page {page[:60]!r}: the admin page is at /.")
    return _serve(page)
