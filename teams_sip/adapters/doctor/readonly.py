"""An httpx transport that refuses to send anything but GET (and HEAD): the doctor's promise that
it changes nothing in the tenant, kept by the client rather than by the probes' good behaviour.

`allow` names the one kind of write a caller may opt into (method and path suffix), e.g. a
configuration-snapshot job; nothing else passes. The refusal is raised before the request reaches
the retrying transport, so no attempt is made, counted or retried.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import httpx

from teams_sip.errors import TeamsSipError
from teams_sip.service.doctor.port import Exchange

READ_METHODS = frozenset({"GET", "HEAD"})


class WriteRefusedError(TeamsSipError):
    """A request other than a read was about to be sent by the read-only client."""


class ReadOnlyTransport(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, allow: Iterable[tuple[str, str]] = ()) -> None:
        self._inner = inner
        self._allow = tuple((method.upper(), suffix) for method, suffix in allow)
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        method = request.method.upper()
        allowed = any(method == m and request.url.path.endswith(s) for m, s in self._allow)
        if method not in READ_METHODS and not allowed:
            self.refused += 1
            raise WriteRefusedError(f"the doctor is read-only: {method} refused before sending")
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class RecordingTransport(httpx.BaseTransport):
    """Notes every answer's status and header names (and Retry-After) for the throttling probe; it
    sits under the retrying transport, so retried 429s are seen too. No URL or body is kept."""

    def __init__(self, inner: httpx.BaseTransport, service_of: dict[str, str]) -> None:
        self._inner = inner
        self._service_of = service_of  # host -> service name
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        names = tuple(sorted({k.lower() for k in response.headers}))
        exchange = Exchange(self._service_of.get(request.url.host, "other"), response.status_code, names,
                            response.headers.get("Retry-After"))
        with self._lock:
            self.exchanges.append(exchange)
        return response

    def close(self) -> None:
        self._inner.close()
