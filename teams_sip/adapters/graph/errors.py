"""Graph failures as admin-readable errors: status, Graph's error code and message, and for a
403 the application permission the call needs, so the fix is one grant away. Never a token."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from teams_sip.errors import TeamsSipError

# Path pattern (relative to /v1.0 or /beta) -> the application permission Graph wants for it.
PERMISSIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/users/[^/]+/sendMail$", re.IGNORECASE), "Mail.Send"),
    (re.compile(r"^/admin/teams/userConfigurations", re.IGNORECASE), "TeamsUserConfiguration.Read.All"),
    (re.compile(r"^/admin/teams/policy", re.IGNORECASE), "TeamsPolicyUserAssign.ReadWrite.All"),
    (re.compile(r"^/teamwork/devices", re.IGNORECASE), "TeamworkDevice.Read.All"),
    (re.compile(r"^/users", re.IGNORECASE), "User.Read.All"),
)


class GraphError(TeamsSipError):
    """A Graph call failed for good (after the retries the policy allows)."""

    def __init__(self, status: int, code: str, message: str, *, method: str = "", path: str = "") -> None:
        self.status = status
        self.code = code
        self.graph_message = message
        self.method = method
        self.path = path
        where = f" on {method} {path}" if method else ""
        super().__init__(f"Microsoft Graph answered {status} {code}{where}: {message}")


class PermissionDeniedError(GraphError):
    """403: the app registration (or managed identity) lacks an application permission."""

    def __init__(self, status: int, code: str, message: str, *, method: str = "", path: str = "") -> None:
        self.permission = permission_for(path)
        super().__init__(status, code, message, method=method, path=path)
        need = (
            f"grant the application permission {self.permission} (admin consent) and retry"
            if self.permission
            else "check the application permissions granted to the app"
        )
        self.args = (f"{self.args[0]} -> {need}.",)


class GraphThrottledError(GraphError):
    """Still 429 after every retry: the tenant's budget is spent for now."""


class GraphUnavailableError(TeamsSipError):
    """Graph could not be reached (network, TLS, timeouts) even after retries."""


PermissionDenied = PermissionDeniedError
"""The name the issue uses; same class."""


def permission_for(path: str) -> str | None:
    relative = _api_relative(path)
    for pattern, permission in PERMISSIONS:
        if pattern.search(relative):
            return permission
    return None


def error_from(status: int, body: Any, *, method: str = "", url: str = "") -> GraphError:
    """Build the right error from a status and a Graph error body (read defensively)."""
    code, message = "unknown", ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = str(error.get("code") or code)
        message = str(error.get("message") or "")
    path = _api_relative(url)
    if status == 403:
        return PermissionDeniedError(status, code, message or "Forbidden", method=method, path=path)
    if status == 429:
        return GraphThrottledError(
            status,
            code,
            (message or "Too many requests")
            + " (still throttled after retries; lower HTTP_MAX_CONCURRENCY or retry later)",
            method=method,
            path=path,
        )
    return GraphError(status, code, message or "no message", method=method, path=path)


def _api_relative(url: str) -> str:
    """'/v1.0/users/x?$top=1' or a full URL -> '/users/x' (what the permission table matches)."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    path = "/" + path.lstrip("/")
    return re.sub(r"^/(v1\.0|beta)(?=/|$)", "", path) or "/"
