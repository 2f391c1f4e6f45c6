"""The Starlette application: identity endpoints, the simulated APIs behind the fault pipeline
(latency, resets, slow answers, 5xx, auth, throttling) and the /_sim control endpoints."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from teams_sip.simulator import recording
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse
from teams_sip.simulator.backend import Backend, api_for, fault_response, throttled_response
from teams_sip.simulator.bulk_signin_routes import bulk_control_routes
from teams_sip.simulator.control import control_routes
from teams_sip.simulator.identity import AuthError
from teams_sip.simulator.throttling import Refusal, is_mailbox_request

_RESET_MESSAGE = "ASGI callable returned without completing response."


class _DropResetNoise(logging.Filter):
    """Injected connection resets are on purpose; keep them out of the server log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _RESET_MESSAGE


logging.getLogger("uvicorn.error").addFilter(_DropResetNoise())


class ResetResponse(Response):
    """Starts an answer and hangs up mid-body: the client sees the connection drop."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})
        await send({"type": "http.response.body", "body": b'{"value": [', "more_body": True})


def _json(response: ApiResponse) -> Response:
    request_id = str(uuid.uuid4())
    headers = {"request-id": request_id, "client-request-id": request_id} | response.headers
    if response.body is None:
        return Response(status_code=response.status, headers=headers)
    if isinstance(response.body, str):  # a bare value, e.g. the $count segment's number
        return Response(response.body, status_code=response.status, headers=headers)
    return JSONResponse(response.body, status_code=response.status, headers=headers)


def _recorded(request: Request, response: ApiResponse) -> Response:
    """The HTTP answer; a Graph one is also handed to any installed recorder (tests judge them)."""
    path = request.url.path
    if recording.enabled() and recording.is_graph(path):
        prefer = request.headers.get("prefer", "")
        recording.record(request.method, path, request.url.query, response.status, response.body, prefer)
    return _json(response)


def build_app(backend: Backend) -> Starlette:
    identity, faults = backend.identity, backend.faults

    async def discovery(request: Request) -> Response:
        if request.path_params["tenant"] != identity.tenant_id:
            return JSONResponse({"error": "invalid_tenant", "error_description": "AADSTS90002: Tenant not found."}, 400)
        return JSONResponse(identity.discovery())

    async def keys(request: Request) -> Response:
        return JSONResponse(identity.jwks())

    async def token(request: Request) -> Response:
        faults.count_token()
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        status, body = identity.token(request.path_params["tenant"], fields)
        return JSONResponse(body, status, headers={"Cache-Control": "no-store"})

    async def api(request: Request) -> Response:
        slot = _mailbox_slot(request)
        if slot is not None and not faults.enter_mailbox(*slot):
            faults.count("mailbox:concurrency", 429)
            refused = throttled_response(Refusal({"Retry-After": "1.000"}), backend.date())
            return await _late(_recorded(request, refused))
        try:
            return await _answer(request)
        finally:
            if slot is not None:
                faults.leave_mailbox(*slot)

    def _mailbox_slot(request: Request) -> tuple[str, str] | None:
        """(app, path) of a mailbox request (Outlook limits concurrency per app and mailbox), else None."""
        api_def = api_for(request.url.path)
        if api_def is None or not is_mailbox_request(api_def.prefix, request.url.path[len(api_def.prefix):]):
            return None
        try:
            principal = identity.validate(request.headers.get("authorization"), api_def.audience)
        except AuthError:
            return None
        return principal.app_id, request.url.path[len(api_def.prefix):]

    async def _late(response: Response) -> Response:
        if faults.settings.latency_ms:
            await asyncio.sleep(faults.settings.latency_ms / 1000)
        return response

    async def _answer(request: Request) -> Response:
        settings = faults.settings
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        fault = faults.draw()
        if fault == "reset":
            faults.count("fault:reset", 0)
            return ResetResponse()
        if fault == "slow":
            await asyncio.sleep(settings.slow_seconds)
        elif fault in ("503", "504"):
            faults.count("fault:" + fault, int(fault))
            return _recorded(request, fault_response(int(fault), backend.date()))
        return _recorded(request, await _serve(request))

    async def _serve(request: Request) -> ApiResponse:
        path = request.url.path
        api_def = api_for(path)
        if api_def is None:
            return ApiError(404, "NotFound", f"No API is served at {path}.").response(backend.date())
        try:
            principal = identity.validate(request.headers.get("authorization"), api_def.audience)
        except AuthError as exc:
            response = ApiError(401, "InvalidAuthenticationToken", exc.message).response(backend.date())
            response.headers["WWW-Authenticate"] = f'Bearer realm="", authorization_uri="{backend.base_url}"'
            faults.count("unauthorized", 401)
            return response
        try:
            raw = await request.body()
        except ClientDisconnect:  # the caller gave up (a cancelled read): nothing to answer, nothing to log
            return ApiError(499, "ClientClosedRequest", "The client closed the request.").response(backend.date())
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                return ApiError(400, "BadRequest", "Unable to read JSON request payload.").response(backend.date())
        req = ApiRequest(
            method=request.method,
            path=path[len(api_def.prefix) :] or "/",
            query=dict(request.query_params),
            body=body,
            app_id=principal.app_id,
            roles=principal.roles,
            root=f"{backend.base_url}{api_def.prefix}",
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        if req.path.rstrip("/") == "/$batch" and api_def.prefix in ("/v1.0", "/beta"):
            if req.method != "POST":
                return ApiError(405, "BadRequest", "$batch takes POST.").response(backend.date())
            try:  # the envelope itself is never throttled, only its inner requests: # invented.BATCH_ENVELOPE_FREE
                response = await asyncio.to_thread(backend.batch, api_def, req)
            except ApiError as exc:
                response = exc.response(backend.date())
            faults.count("POST " + api_def.prefix + "/$batch", response.status)
            return response
        return await asyncio.to_thread(backend.handle, api_def, req)

    methods = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    routes = [
        Route("/{tenant}/v2.0/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", keys, methods=["GET"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        *control_routes(backend),
        *bulk_control_routes(backend),
        Route("/{path:path}", api, methods=methods),
    ]
    return Starlette(routes=routes)
