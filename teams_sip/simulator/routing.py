"""The route table type shared by the simulated APIs, and dispatch of one request to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse
from teams_sip.simulator.world import World

Handler = Callable[[World, ApiRequest, "re.Match[str]"], ApiResponse]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    roles: frozenset[str]  # any one of them grants access; empty = none needed
    handler: Handler
    name: str  # for statistics, e.g. "GET /v1.0/users"


def route(method: str, pattern: str, roles: frozenset[str], name: str) -> Callable[[Handler], Route]:
    def wrap(handler: Handler) -> Route:
        return Route(method, re.compile(pattern + r"/?$"), roles, handler, name)

    return wrap


def find(routes: Sequence[Route], method: str, path: str) -> tuple[Route, re.Match[str]]:
    allowed = False
    for r in routes:
        m = r.pattern.match(path)
        if m is None:
            continue
        if r.method == method:
            return r, m
        allowed = True
    if allowed:
        raise ApiError(405, "Request_BadRequest", f"The HTTP method '{method}' is not allowed for this resource.")
    segment = path.strip("/").split("/")[-1] if path.strip("/") else path
    raise ApiError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def dispatch(world: World, r: Route, m: re.Match[str], req: ApiRequest) -> ApiResponse:
    """Checks the app's roles, settles time-driven state, runs the handler under the world lock."""
    date = world.now().isoformat(timespec="seconds").replace("+00:00", "")
    if r.roles and not (r.roles & req.roles):
        return ApiError(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        ).response(date)
    try:
        with world.lock:
            world.tick()
            return r.handler(world, req, m)
    except ApiError as exc:
        return exc.response(date)
