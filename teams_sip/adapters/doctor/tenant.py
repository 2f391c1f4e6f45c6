"""`HttpDoctorTenant`: the DoctorPort over the read-only client, with tokens from the configured
credential. Tokens are decoded (never verified, never kept in the answer) only for their roles."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.doctor.readonly import ReadOnlyTransport, RecordingTransport, WriteRefusedError
from teams_sip.adapters.http import RequestMetrics, RetryingTransport, RetryPolicy, ssl_context, timeout
from teams_sip.config import Settings
from teams_sip.errors import TeamsSipError
from teams_sip.service.doctor.port import GRAPH, GRAPH_BETA, POLICY_ADMIN, Answer, Exchange, SignIn
from teams_sip.unverified import POLICY_ADMIN_BASE_URL, POLICY_ADMIN_SCOPE


def token_roles(token: str) -> tuple[str, ...]:
    """The `roles` claim of a JWT access token, read without verifying it (the doctor only reports it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return ()
    roles = claims.get("roles") if isinstance(claims, dict) else None
    return tuple(sorted(str(r) for r in roles)) if isinstance(roles, list) else ()


class HttpDoctorTenant:
    def __init__(self, settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None,
                 *, allow: Sequence[tuple[str, str]] = ()) -> None:
        self.tokens = tokens
        self._bases = {GRAPH: settings.graph_base_url.rstrip("/"),
                       GRAPH_BETA: settings.graph_beta_base_url.rstrip("/"),
                       POLICY_ADMIN: (settings.policy_admin_base_url or POLICY_ADMIN_BASE_URL).rstrip("/")}
        self._scopes = {GRAPH: settings.graph_scope, GRAPH_BETA: settings.graph_scope, POLICY_ADMIN: POLICY_ADMIN_SCOPE}
        hosts = {}
        for service, base in reversed(self._bases.items()):  # graph wins where v1.0 and beta share a host
            hosts[urlsplit(base).hostname or ""] = service
        context = ssl_context(settings.ca_bundle)
        self._recorder = RecordingTransport(httpx.HTTPTransport(verify=context), hosts)
        policy = RetryPolicy.from_settings(settings.http)
        retrying = RetryingTransport(self._recorder, policy, metrics or RequestMetrics())
        self.guard = ReadOnlyTransport(retrying, allow)
        self.http = httpx.Client(transport=self.guard, verify=context, timeout=timeout(settings.http))

    def close(self) -> None:
        self.http.close()

    def sign_in(self, service: str) -> SignIn:
        try:
            token = self.tokens.token(self._scopes[service])
        except TeamsSipError as exc:
            return SignIn(False, error=str(exc))
        return SignIn(True, token_roles(token.reveal()))

    def get(self, service: str, path: str, *, params: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None) -> Answer:
        try:
            token = self.tokens.token(self._scopes[service])
        except TeamsSipError as exc:
            return Answer(0, error=f"no token ({type(exc).__name__})")
        sent = {"Authorization": f"Bearer {token.reveal()}", "Accept": "application/json", **(headers or {})}
        try:
            response = self.http.get(self._bases[service] + path, params=params, headers=sent)
        except httpx.HTTPError as exc:
            return Answer(0, error=f"transport error ({type(exc).__name__})")
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, _body(response))

    def post(self, service: str, path: str, body: Mapping[str, object]) -> Answer:
        try:
            token = self.tokens.token(self._scopes[service])
        except TeamsSipError as exc:
            return Answer(0, error=f"no token ({type(exc).__name__})")
        sent = {"Authorization": f"Bearer {token.reveal()}", "Accept": "application/json"}
        try:
            response = self.http.post(self._bases[service] + path, json=dict(body), headers=sent)
        except WriteRefusedError:
            return Answer(0, error="refused by the doctor's read-only client (no --create-snapshot)")
        except httpx.HTTPError as exc:
            return Answer(0, error=f"transport error ({type(exc).__name__})")
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, _body(response))

    def exchanges(self) -> Sequence[Exchange]:
        return list(self._recorder.exchanges)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
