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


def caller_of(req: func.HttpRequest) -> Caller:
    """App Service authentication (Entra ID) puts the signed-in principal in these headers; without it
    the caller is known only as holder of a function key."""
    encoded = req.headers.get("x-ms-client-principal")
    name = req.headers.get("x-ms-client-principal-name")
    groups: list[str] = []
    if encoded:
        try:
            principal = json.loads(base64.b64decode(encoded))
            claims = principal.get("claims", [])
            groups = [c.get("val", "") for c in claims if c.get("typ") == "groups"]
            name = name or next((c.get("val") for c in claims if c.get("typ") in ("preferred_username", "name")), None)
        except (ValueError, binascii.Error, AttributeError):
            raise HttpError(401, "badPrincipal", "the x-ms-client-principal header cannot be read") from None
    if name:
        return Caller(name, tuple(groups), authenticated=True)
    return Caller("function-key")


def require_admin(caller: Caller, admin_group: str | None) -> None:
    if admin_group and admin_group not in caller.groups:
        raise HttpError(403, "forbidden", "this action needs membership of the teams-sip admin group")


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


def read_json(req: func.HttpRequest) -> dict[str, Any]:
    if not (req.headers.get("content-type") or "").lower().startswith("application/json"):
        raise HttpError(415, "unsupportedMediaType", "send a JSON body with Content-Type: application/json")
    try:
        body = req.get_json()
    except ValueError:
        raise HttpError(400, "badJson", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "badJson", "the body must be a JSON object")
    return body


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


def read_upload(req: func.HttpRequest, max_bytes: int) -> Upload:
    """A file sent as multipart form data (field `file`) or as the raw body with its content type."""
    content_type = (req.headers.get("content-type") or "").lower()
    declared = int(req.headers.get("content-length") or 0)
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

