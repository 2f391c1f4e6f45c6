"""What the provisioning and bulk sign-in clients share: an httpx client on the retrying transport,
a bearer token for the service's scope (fetched again once after a 401), endpoints from a table in
teams_sip/unverified.py, and a clear error when the service cannot be reached at all."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Self
from urllib.parse import quote

import httpx

from teams_sip import unverified
from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.http import IDEMPOTENT, RequestMetrics, RetryingTransport, RetryPolicy, ssl_context, timeout
from teams_sip.adapters.throttle import DEVICE_MANAGEMENT, service_pricing
from teams_sip.config import Settings
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError, TeamsSipError


class ServiceApiClient:
    """Subclasses name the service and say what to check when it is unreachable."""

    service = "service"
    budget = DEVICE_MANAGEMENT  # the throttle bucket its requests wait for (teams_sip/adapters/throttle.py)
    default_endpoints: Mapping[str, unverified.ProvisioningEndpoint] = {}

    def __init__(
        self,
        base_url: str,
        token: Callable[[], Secret],
        *,
        settings: Settings,
        endpoints: Mapping[str, unverified.ProvisioningEndpoint] | None = None,
        metrics: RequestMetrics | None = None,
        on_unauthorized: Callable[[Secret], None] | None = None,
    ) -> None:
        self.metrics = metrics or RequestMetrics()
        self.at_once = settings.http.max_concurrency  # calls one operation may have in flight (HTTP_MAX_CONCURRENCY)
        self._base = base_url.rstrip("/")
        self._token = token
        self._on_unauthorized = on_unauthorized
        self._endpoints = self.default_endpoints if endpoints is None else endpoints
        context = ssl_context(settings.ca_bundle)
        self._http = httpx.Client(
            transport=RetryingTransport(
                httpx.HTTPTransport(verify=context), RetryPolicy.from_settings(settings.http), self.metrics,
                pricing=service_pricing(settings.http, self.budget),
            ),
            verify=context,
            timeout=timeout(settings.http),
        )

    @classmethod
    def for_scope(cls, base_url: str, tokens: TokenProvider, scope: str, *, settings: Settings,
                  metrics: RequestMetrics | None = None) -> Self:
        """A client whose bearer tokens come from `tokens` for `scope`; a rejected token is dropped once."""
        return cls(base_url, lambda: tokens.token(scope), settings=settings, metrics=metrics,
                   on_unauthorized=lambda rejected: tokens.invalidate(scope, rejected))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def unreachable(self, exc: httpx.TransportError) -> TeamsSipError:
        raise NotImplementedError

    def request(self, operation: str, *, path: Mapping[str, str] | None = None, json: Any = None,
                params: Mapping[str, str] | None = None) -> httpx.Response:
        """One operation of the endpoint table, after the transport's retries."""
        endpoint = self._endpoints.get(operation)
        if endpoint is None:
            raise ConfigError(f"No endpoint configured for the {self.service} operation {operation}.")
        url = self._base + endpoint.path
        for name, value in (path or {}).items():
            url = url.replace("{" + name + "}", quote(value, safe=""))
        response: httpx.Response | None = None
        for attempt in (1, 2):
            token = self._token()
            headers = {"Authorization": f"Bearer {token.reveal()}", "Accept": "application/json"}
            try:
                response = self._http.request(
                    endpoint.method, url, json=json, params=params, headers=headers, extensions={IDEMPOTENT: True}
                )
            except httpx.TransportError as exc:
                raise self.unreachable(exc) from None
            if response.status_code == 401 and attempt == 1 and self._on_unauthorized is not None:
                self._on_unauthorized(token)
                continue
            break
        assert response is not None
        return response
