"""Entra sign-in logs, as Graph v1.0 `GET /auditLogs/signIns` documents them ("List signIns", the
`signIn` resource): newest first, pages of up to 1,000 (the default too), `$filter` on `appId` and
`createdDateTime` (eq / ge / le, joined by `and`, `appId` alternatives joined by `or` in parentheses),
`@odata.nextLink` with a `$skiptoken`. A tenant without Entra ID P1/P2 (scenario `entra_premium`
false, or `sim.set_entra_premium(False)`) answers 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant`.

`World.sign_in` records one entry per attempt on a handset (invented.SIGNIN_LOG_APP_ID says which
app id); refused attempts carry an Entra error code and failure reason (invented.SIGNIN_LOG_ERRORS).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from teams_sip.simulator import catalog
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse, bad_request
from teams_sip.simulator.odata import UNSUPPORTED, page, parse_top, resolve_query
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.world import World

PAGE_MAX = 1000
NO_PREMIUM = ("Authentication_RequestFromNonPremiumTenantOrB2CTenant",
              "Neither tenant is B2C or tenant doesn't have premium license")
_CLAUSE = re.compile(r"^\s*(appId|createdDateTime|userPrincipalName)\s+(eq|ge|le|gt|lt)\s+(.+?)\s*$", re.I)


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().strip("'").replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"Invalid filter clause: '{text}' is not a DateTimeOffset.", UNSUPPORTED) from None
    if value.tzinfo is None:
        raise bad_request(f"Invalid filter clause: '{text}' has no offset.", UNSUPPORTED)
    return value


def _predicate(clause: str) -> Any:
    text = clause.strip()
    if text.startswith("(") and text.endswith(")"):
        alternatives = [_predicate(part) for part in re.split(r"\s+or\s+", text[1:-1], flags=re.I)]
        return lambda e: any(p(e) for p in alternatives)
    m = _CLAUSE.match(text)
    if m is None:
        raise bad_request(f"Invalid filter clause: {text}", UNSUPPORTED)
    name, op, raw = m.group(1).lower(), m.group(2).lower(), m.group(3)
    if name == "createddatetime":
        at = _when(raw)
        ops = {"eq": lambda e: e.at == at, "ge": lambda e: e.at >= at, "le": lambda e: e.at <= at,
               "gt": lambda e: e.at > at, "lt": lambda e: e.at < at}
        return ops[op]
    if op != "eq" or not raw.startswith("'"):
        raise bad_request(f"Invalid filter clause: {text}", UNSUPPORTED)
    wanted = raw.strip("'").lower()
    return (lambda e: e.app_id == wanted) if name == "appid" else (lambda e: e.upn.lower() == wanted)


def parse_signin_filter(text: str) -> Any:
    clauses = [c for c in re.split(r"\s+and\s+", text, flags=re.I) if c.strip()]
    predicates = [_predicate(c) for c in clauses]
    return lambda e: all(p(e) for p in predicates)


@route("GET", r"/auditLogs/signIns", catalog.AUDIT_LOG_READ, "GET /v1.0/auditLogs/signIns")
def list_sign_ins(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    if not world.entra_premium:
        raise ApiError(403, *NO_PREMIUM)
    query, offset = resolve_query(req)
    top = parse_top(query, PAGE_MAX, PAGE_MAX)
    events = sorted(world.sign_in_log, key=lambda e: (e.at, e.id), reverse=True)  # newest first
    if "$filter" in query:
        keep = parse_signin_filter(query["$filter"])
        events = [e for e in events if keep(e)]
    window = [e.as_json() for e in events[offset : offset + top]]
    return ApiResponse(200, page(req, window, len(events), query, offset, top))


SIGNIN_LOG_ROUTES: list[Route] = [list_sign_ins]
