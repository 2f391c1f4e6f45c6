"""What every HTTP function shares: consistent JSON error bodies, request ids, the caller's identity,
admin-group checks and reading an uploaded file. Handlers stay thin: parse, call the service, answer.

Error body: `{"error": {"code": "...", "message": "...", "requestId": "..."}}`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import azure.functions as func

from teams_sip.errors import TeamsSipError
from teams_sip.observability import request_id
from teams_sip.service.filenames import safe_filename as safe_filename  # re-exported for callers

log = logging.getLogger(__name__)


class HttpError(TeamsSipError):
    """An error with the HTTP status and code the caller should see."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, headers=headers,
                             mimetype="application/json", charset="utf-8")


def error_response(status: int, code: str, message: str) -> func.HttpResponse:
    body = {"error": {"code": code, "message": message, "requestId": request_id.get()}}
    return json_response(body, status, headers={"x-request-id": request_id.get()})


@dataclass(frozen=True)
class Caller:
    name: str
    groups: tuple[str, ...] = ()
    authenticated: bool = False


def caller_of(req: func.HttpRequest, *, trust_platform: bool = False) -> Caller:
    """App Service authentication (Entra ID) puts the signed-in principal in these headers, and strips
    any a client sent; elsewhere (`serve`, an app without it) anyone can send them, so they are read
    only with `trust_platform` (TRUST_PLATFORM_AUTH_HEADERS). Otherwise the caller is known only as
    the holder of a function key, or as anonymous when it offered none."""
    if trust_platform:
        principal = _principal(req)
        if principal is not None:
            return principal
    offered = req.headers.get("x-functions-key") or req.params.get("code")
    return Caller(FUNCTION_KEY_ACTOR if offered else ANONYMOUS_ACTOR)


FUNCTION_KEY_ACTOR = "function-key"
ANONYMOUS_ACTOR = "anonymous"


def _principal(req: func.HttpRequest) -> Caller | None:
    encoded = req.headers.get("x-ms-client-principal")
    name = req.headers.get("x-ms-client-principal-name")
    groups: list[str] = []
    if encoded:
        try:
            principal = json.loads(base64.b64decode(encoded))
            claims = principal.get("claims", [])
            groups = [c.get("val", "") for c in claims if c.get("typ") == "groups"]
            name = name or next((c.get("val") for c in claims if c.get("typ") in ("preferred_username", "name")), None)
        except (ValueError, binascii.Error, AttributeError, RecursionError):
            raise HttpError(401, "badPrincipal", "the x-ms-client-principal header cannot be read") from None
    return Caller(name, tuple(groups), authenticated=True) if name else None


def require_admin(caller: Caller, admin_group: str | None) -> None:
    if admin_group and admin_group not in caller.groups:
        hint = "" if caller.authenticated else (" (no signed-in identity: App Service authentication must be on and "
                                               "TRUST_PLATFORM_AUTH_HEADERS set)")
        raise HttpError(403, "forbidden", "this action needs membership of the teams-sip admin group" + hint)


def handler(fn: Callable[[func.HttpRequest], func.HttpResponse]) -> Callable[[func.HttpRequest], func.HttpResponse]:
    """Stamps a request id, turns known errors into their status, and never leaks a traceback."""

    @functools.wraps(fn)
    def wrapper(req: func.HttpRequest) -> func.HttpResponse:
        token = request_id.set(req.headers.get("x-request-id") or uuid.uuid4().hex[:16])
        try:
            response = fn(req)
            response.headers["x-request-id"] = request_id.get()
            return response
        except HttpError as exc:
            return error_response(exc.status, exc.code, str(exc))
        except TeamsSipError as exc:
            return error_response(_status_for(exc), type(exc).__name__[0].lower() + type(exc).__name__[1:], str(exc))
        except Exception:
            log.exception("unhandled error in %s", fn.__name__)
            return error_response(500, "internalError", "the service failed; quote the request id to support")
        finally:
            request_id.reset(token)

    return wrapper


def _status_for(exc: TeamsSipError) -> int:
    return int(getattr(exc, "http_status", 400))


JSON_MAX_BYTES = 1_000_000  # the API's JSON bodies are a few fields; files go to the upload routes
JSON_MAX_DEPTH = 20


def read_json(req: func.HttpRequest) -> dict[str, Any]:
    """The body as a JSON object, refused (never a 500) when too large, too deep or not JSON."""
    if not (req.headers.get("content-type") or "").lower().startswith("application/json"):
        raise HttpError(415, "unsupportedMediaType", "send a JSON body with Content-Type: application/json")
    raw = req.get_body()
    if len(raw) > JSON_MAX_BYTES:
        raise HttpError(413, "payloadTooLarge", f"a JSON body may be at most {JSON_MAX_BYTES:,} bytes")
    try:
        body = json.loads(raw)
    except RecursionError:
        raise HttpError(400, "badJson", f"the JSON body is nested more than {JSON_MAX_DEPTH} levels deep") from None
    except ValueError:
        raise HttpError(400, "badJson", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "badJson", "the body must be a JSON object")
    if _depth(body) > JSON_MAX_DEPTH:
        raise HttpError(400, "badJson", f"the JSON body is nested more than {JSON_MAX_DEPTH} levels deep")
    return body


def _depth(value: Any) -> int:
    """How deeply objects and arrays nest (iteratively: a deep body must not exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= JSON_MAX_DEPTH:
            stack.extend((child, level + 1) for child in children)
    return deepest


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def read_upload(req: func.HttpRequest, max_bytes: int) -> Upload:
    """A file sent as multipart form data (field `file`) or as the raw body with its content type."""
    content_type = (req.headers.get("content-type") or "").lower()
    declared_text = req.headers.get("content-length") or "0"
    declared = int(declared_text) if declared_text.isdigit() else max_bytes + 1
    if declared > max_bytes or len(req.get_body()) > max_bytes:
        raise HttpError(413, "payloadTooLarge", f"the upload is larger than the {max_bytes // 1_000_000} MB cap")
    if content_type.startswith("multipart/form-data"):
        files = req.files
        upload = files.get("file") or next(iter(files.values()), None)
        if upload is None:
            raise HttpError(400, "noFile", "the form has no file field")
        return Upload(safe_filename(upload.filename or ""), upload.content_type or "", upload.read())
    name = req.params.get("filename") or req.headers.get("x-filename") or "upload"
    if not req.get_body():
        raise HttpError(400, "emptyBody", "the request has no file in its body")
    return Upload(safe_filename(name), content_type, req.get_body())

