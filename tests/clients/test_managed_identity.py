"""Managed identity through azure-identity, against a loopback stand-in for the App Service /
Functions identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, as Azure sets them)."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from teams_sip.adapters.auth import AuthError, build_token_provider
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import SystemClock

TENANT = "11111111-2222-3333-4444-555555555555"
USER_ASSIGNED = "99999999-8888-7777-6666-555555555555"


class IdentityEndpoint(BaseHTTPRequestHandler):
    calls: list[dict[str, Any]] = []  # noqa: RUF012 - shared with the test through the class
    refuse = False

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        IdentityEndpoint.calls.append({"query": query, "header": self.headers.get("X-IDENTITY-HEADER")})
        if IdentityEndpoint.refuse or self.headers.get("X-IDENTITY-HEADER") != "expected-header":
            body, status = {"error": "invalid_request", "error_description": "Identity not found"}, 400
        else:
            body = {
                "access_token": f"mi-token-{len(IdentityEndpoint.calls)}",
                "expires_on": str(int(time.time()) + 3600),
                "resource": query["resource"][0],
                "token_type": "Bearer",
            }
            status = 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[IdentityEndpoint]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), IdentityEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    IdentityEndpoint.calls = []
    IdentityEndpoint.refuse = False
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "expected-header")
    for name in ("MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield IdentityEndpoint
    finally:
        server.shutdown()
        server.server_close()


def test_user_assigned_identity_token_is_fetched_once_and_cached(endpoint) -> None:
    settings = settings_from_values({"TENANT_ID": TENANT, "CLIENT_ID": USER_ASSIGNED})
    assert settings.auth_mode == "managed_identity"
    provider = build_token_provider(settings, SystemClock())
    first = provider.token("https://graph.microsoft.com/.default")
    second = provider.token("https://graph.microsoft.com/.default")
    assert first == second and first.reveal().startswith("mi-token-")
    assert len(endpoint.calls) == 1
    call = endpoint.calls[0]
    assert call["query"]["resource"] == ["https://graph.microsoft.com"]
    assert call["query"]["client_id"] == [USER_ASSIGNED]


def test_refused_identity_is_a_clear_error(endpoint) -> None:
    endpoint.refuse = True
    provider = build_token_provider(settings_from_values({"TENANT_ID": TENANT}), SystemClock())
    with pytest.raises(AuthError, match="managed identity"):
        provider.token("https://graph.microsoft.com/.default")
