"""The request and answer shapes every simulated API handler uses, and Graph-style errors.
Handlers never see Starlette, so `$batch` can run inner requests through the same code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str  # below the API root, e.g. "/users/abc"
    query: dict[str, str]
    body: Any
    app_id: str
    roles: frozenset[str]
    root: str  # absolute URL of the API root, for @odata.nextLink
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case; an inner $batch request's own

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def prefers(self, preference: str) -> bool:
        """Whether a `Prefer` header asks for this preference (comma-separated, case-insensitive)."""
        return preference.lower() in (p.strip().lower() for p in self.header("prefer").split(","))


@dataclass
class ApiResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An answer with a Graph error body: {"error": {"code", "message", "innerError"}}."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self, date: str) -> ApiResponse:
        return ApiResponse(self.status, error_body(self.code, self.message, date), dict(self.headers))


def error_body(code: str, message: str, date: str) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"date": date, "request-id": request_id, "client-request-id": request_id},
        }
    }


def bad_request(message: str, code: str = "BadRequest") -> ApiError:
    return ApiError(400, code, message)


def not_found(message: str, code: str = "Request_ResourceNotFound") -> ApiError:
    return ApiError(404, code, message)
