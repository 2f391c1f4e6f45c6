"""`GET api/worksheets/{site}/{day}`: a site's technician worksheet for an install date, as CSV or HTML
(`?format=` or the Accept header). The only response that carries verification codes, so it is
never cached."""

from __future__ import annotations

from collections.abc import Iterable

import azure.functions as func

from teams_sip.domain.site_keys import looks_like_key, site_key
from teams_sip.entrypoints.functions.context import admin
from teams_sip.entrypoints.functions.http import HttpError, handler
from teams_sip.service.renewal import delivery_for
from teams_sip.service.views import NotFoundError, parse_day

bp = func.Blueprint()
MEDIA = {"csv": "text/csv", "html": "text/html"}


def wanted_format(req: func.HttpRequest) -> str:
    asked = (req.params.get("format") or "").lower()
    if asked:
        if asked not in MEDIA:
            raise HttpError(400, "badFormat", "format must be csv or html")
        return asked
    accept = (req.headers.get("accept") or "").lower()
    return "html" if "text/html" in accept and "text/csv" not in accept else "csv"


def site_for(asked: str, sites: Iterable[str]) -> str | None:
    """The site a link names: by its key (any name, even one holding `/` or `..`, has one a URL can
    carry) or, for links written by hand, by its exact plain name."""
    names = list(sites)
    if asked in names:
        return asked
    if looks_like_key(asked):
        return next((name for name in names if site_key(name) == asked), None)
    return None


@bp.route(route="api/worksheets/{site}/{day}", methods=["GET"])
@handler
def get_worksheet(req: func.HttpRequest) -> func.HttpResponse:
    rollout, _ = admin(req)
    asked, day_text = req.route_params.get("site", ""), req.route_params.get("day", "")
    if not asked.strip() or ".." in asked or any(ch in asked for ch in "/\\\x00"):
        raise HttpError(400, "badName", "the site must be its key (as the page links it) or a plain name, not a path")
    fmt, day = wanted_format(req), parse_day(day_text)
    site = site_for(asked, rollout.sites())
    if site is None:
        raise NotFoundError(f"No site {asked[:60]!r} is in the roster.")
    data = delivery_for(rollout).read(site, day, fmt)
    if data is None:
        raise NotFoundError(f"No codes were issued for {site} on {day.isoformat()}, so it has no worksheet.")
    name = f"{site_key(site)}-{day.isoformat()}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return func.HttpResponse(data, status_code=200, mimetype=MEDIA[fmt], charset="utf-8", headers=headers)
