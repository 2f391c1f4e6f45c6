"""What `teams-sip serve` checks before any handler (or the simulator's `/_sim` routes) sees a request,
because a server on the admin's own machine is reachable from every web page the admin opens.

- Host must name the loopback address and our port (127.0.0.1, localhost, [::1]): a page that
  re-points its own DNS name at 127.0.0.1 (DNS rebinding) sends its own name and is refused.
- A request that changes something (any method but GET/HEAD/OPTIONS) is refused when its `Origin`
  (or `Sec-Fetch-Site`) says it comes from another site, and when its Content-Type is one a page may
  send without a CORS preflight (none, text/plain, form-urlencoded). JSON and file types need a
  preflight, which this server never grants; multipart is allowed for uploads, behind the key.
- `/_sim/*` needs the same function key as the API (the API's own key check is the host's).

Nothing here reads the body: a refused request is answered before it is sent.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# What a page on another site may send without a preflight (the Fetch standard's CORS-safelisted
# request Content-Types), plus no type at all.
SIMPLE_TYPES = {"", "text/plain", "application/x-www-form-urlencoded"}
SIM_PREFIX = "/_sim"


def loopback_hosts(port: int, addresses: tuple[str, ...] = ()) -> set[str]:
    """The Host values a browser sends for this server: each loopback name (and any literal address it
    was bound to: an address, unlike a name, cannot be re-pointed) with the port."""
    names = [*LOOPBACK_NAMES, *(f"[{a}]" if ":" in a and not a.startswith("[") else a for a in addresses)]
    return {f"{name.lower()}:{port}" for name in names} | ({n.lower() for n in names} if port == 80 else set())


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def refusal(method: str, path: str, query: str, headers: dict[str, str], port: int, key: str,
            addresses: tuple[str, ...] = ()) -> tuple[int, str, str] | None:
    """(status, code, message) when the request must not reach a handler; None when it may."""
    allowed = loopback_hosts(port, addresses)
    if headers.get("host", "").lower() not in allowed:
        return 421, "misdirectedRequest", "this server answers only to 127.0.0.1, localhost or [::1] with its port"
    if method.upper() not in SAFE_METHODS:
        origin = headers.get("origin")
        if origin is not None and _origin_host(origin) not in allowed:
            return 403, "foreignOrigin", "requests from another site's page are refused"
        if headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
            return 403, "foreignOrigin", "requests from another site's page are refused"
        if media_type(headers.get("content-type", "")) in SIMPLE_TYPES:
            return 415, "unsupportedMediaType", ("send Content-Type: application/json (even with an empty body), "
                                                 "or a file as multipart/form-data or with its own type")
    if path.startswith(SIM_PREFIX) and not key_matches(headers, query, key):
        return 401, "unauthorized", "a valid function key is required"
    return None


def key_matches(headers: dict[str, str], query: str, key: str) -> bool:
    """The key as the Functions host takes it: the x-functions-key header or `?code=`."""
    offered = headers.get("x-functions-key") or (parse_qs(query).get("code") or [""])[0]
    return hmac.compare_digest(offered.encode(), key.encode())


def _origin_host(origin: str) -> str:
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return parts.netloc.lower()


class LocalGuard:
    """ASGI middleware applying `refusal` to every HTTP request before the wrapped app runs."""

    def __init__(self, app: ASGIApp, *, port: int, key: str, addresses: tuple[str, ...] = ()) -> None:
        if not key:
            raise ValueError("the local server needs a non-empty function key")
        self._app, self._port, self._key, self._addresses = app, port, key, addresses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")
        problem = refusal(scope.get("method", "GET"), path, query, headers, self._port, self._key, self._addresses)
        if problem is None:
            await self._app(scope, receive, send)
            return
        status, code, message = problem
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
