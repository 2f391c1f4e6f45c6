"""Bearer tokens for Graph and the provisioning service, from the credential configuration chose.

MSAL's confidential client (secret or certificate) runs everywhere; Azure's managed identity is
used in the Function App so no secret is deployed. Both sit behind one TokenProvider that keeps a
token per scope and treats it as expired a few minutes early, on the service's Clock: a run that
spans the expiry (or a test that moves the clock) gets a fresh token instead of a 401.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from teams_sip.config import Settings
from teams_sip.domain.clock import Clock, SystemClock
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError, TeamsSipError

REFRESH_MARGIN = timedelta(minutes=5)


class AuthError(TeamsSipError):
    """The identity platform refused to issue a token; the message says which setting to check."""


@dataclass(frozen=True)
class AccessToken:
    token: Secret = field(repr=False)
    expires_at: datetime


class TokenSource(Protocol):
    def fetch(self, scope: str, *, fresh: bool) -> tuple[Secret, float]:
        """A token for `scope` and its lifetime in seconds; `fresh` bypasses any source cache."""
        ...


class TokenProvider:
    """Per-scope tokens, refreshed before expiry, one fetch at a time per scope."""

    def __init__(self, source: TokenSource, clock: Clock | None = None, margin: timedelta = REFRESH_MARGIN) -> None:
        self._source = source
        self._clock = clock or SystemClock()
        self._margin = margin
        self._tokens: dict[str, AccessToken] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.fetches = 0

    def token(self, scope: str) -> Secret:
        with self._lock_for(scope):
            current = self._tokens.get(scope)
            if current is not None and self._clock.now() < current.expires_at - self._margin:
                return current.token
            # A stale entry means the source's own cache may be stale too (it runs on wall time).
            value, lifetime = self._source.fetch(scope, fresh=current is not None)
            self.fetches += 1
            self._tokens[scope] = AccessToken(value, self._clock.now() + timedelta(seconds=lifetime))
            return value

    def invalidate(self, scope: str, rejected: Secret) -> None:
        """Forget a token the service rejected (401), so the next call fetches a new one."""
        with self._lock_for(scope):
            current = self._tokens.get(scope)
            if current is not None and current.token == rejected:
                self._tokens[scope] = AccessToken(current.token, self._clock.now() - self._margin)

    def _lock_for(self, scope: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(scope, threading.Lock())


class MsalSource:
    """MSAL ConfidentialClientApplication with its token cache, talking through a requests
    session that trusts CA_BUNDLE (MSAL's documented `http_client` hook)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._credential = _msal_credential(settings)  # bad certificate settings fail at start
        self._app: Any = None
        self._lock = threading.Lock()

    def _application(self) -> Any:
        """Built on first use: MSAL reads the authority's discovery document when constructed."""
        if self._app is None:
            import msal
            import requests  # type: ignore[import-untyped, unused-ignore]

            settings = self._settings
            verify: str | bool = str(settings.ca_bundle) if settings.ca_bundle else True
            self._app = msal.ConfidentialClientApplication(
                settings.client_id,
                client_credential=self._credential,
                authority=settings.authority,
                http_client=_PinnedSession(requests.Session(), settings.http.timeout_seconds, verify),
                instance_discovery=settings.instance_discovery,
                token_cache=msal.TokenCache(),
            )
        return self._app

    def fetch(self, scope: str, *, fresh: bool) -> tuple[Secret, float]:
        with self._lock:
            try:
                app = self._application()
                if fresh:
                    app.remove_tokens_for_client()
                result: dict[str, Any] = app.acquire_token_for_client(scopes=[scope])
            except (OSError, ValueError) as exc:
                raise AuthError(
                    f"Could not reach the sign-in service at AUTHORITY_HOST ({type(exc).__name__}); "
                    "check AUTHORITY_HOST, TENANT_ID and CA_BUNDLE."
                ) from None
        if "access_token" not in result:
            raise AuthError(_describe_msal_error(result, scope))
        return Secret(str(result["access_token"])), float(result.get("expires_in", 3599))


class ManagedIdentitySource:
    """azure-identity's ManagedIdentityCredential: the Function App's identity, no secret stored."""

    def __init__(self, settings: Settings) -> None:
        from azure.identity import ManagedIdentityCredential

        self._credential = (
            ManagedIdentityCredential(client_id=settings.client_id)
            if settings.client_id
            else ManagedIdentityCredential()
        )

    def fetch(self, scope: str, *, fresh: bool) -> tuple[Secret, float]:
        import time

        from azure.core.exceptions import ClientAuthenticationError

        try:
            got = self._credential.get_token(scope)
        except ClientAuthenticationError as exc:
            raise AuthError(
                "The managed identity could not get a token: check that the Function App has its identity "
                f"assigned and the permission for {scope} granted ({type(exc).__name__})."
            ) from None
        return Secret(got.token), max(0.0, got.expires_on - time.time())


def build_token_provider(settings: Settings, clock: Clock | None = None) -> TokenProvider:
    managed = settings.auth_mode == "managed_identity"
    source: TokenSource = ManagedIdentitySource(settings) if managed else MsalSource(settings)
    return TokenProvider(source, clock)


class KiotaTokenProvider:
    """kiota AccessTokenProvider over our TokenProvider: hands the token only to allowed hosts."""

    def __init__(self, provider: TokenProvider, scope: str, allowed_hosts: list[str]) -> None:
        from kiota_abstractions.authentication import AllowedHostsValidator

        self._provider = provider
        self._scope = scope
        self._validator = AllowedHostsValidator(allowed_hosts)

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        if not self._validator.is_url_host_valid(uri) or urlsplit(uri).scheme != "https":
            return ""
        token = await asyncio.to_thread(self._provider.token, self._scope)
        return token.reveal()

    def get_allowed_hosts_validator(self) -> Any:
        return self._validator


def bearer(provider: TokenProvider, scope: str) -> Callable[[], dict[str, str]]:
    """Headers factory for plain httpx clients (provisioning, policy settings)."""

    def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {provider.token(scope).reveal()}"}

    return headers


def _msal_credential(settings: Settings) -> str | dict[str, str]:
    if settings.auth_mode == "client_secret":
        assert settings.client_secret is not None
        return settings.client_secret.reveal()
    if settings.client_certificate_path is None:
        assert settings.client_certificate is not None
        return certificate_text_credential(settings.client_certificate, settings.client_certificate_password)
    return certificate_credential(
        settings.client_certificate_path, settings.client_certificate_key_path, settings.client_certificate_password
    )


def certificate_text_credential(text: Secret, password: Secret | None) -> dict[str, str]:
    """CLIENT_CERTIFICATE as an app setting: PEM text (certificate and key), or the base64 PFX that a
    Key Vault reference to a certificate yields on Flex Consumption, where certificate files cannot be loaded."""
    import base64
    import binascii

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    raw = text.reveal().strip()
    if "-----BEGIN" in raw:
        return _pem_credential(raw.encode("ascii", "replace"), raw.encode("ascii", "replace"), password)
    try:
        blob = base64.b64decode(raw, validate=True)
        key, cert, _ = pkcs12.load_key_and_certificates(blob, password.reveal().encode() if password else None)
    except (binascii.Error, ValueError):
        raise ConfigError("CLIENT_CERTIFICATE is neither PEM text nor a base64 PFX (or its password is wrong); "
                          "its value is not shown.") from None
    if key is None or cert is None:
        raise ConfigError("CLIENT_CERTIFICATE holds no private key and certificate pair.")
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return _pem_credential(cert.public_bytes(serialization.Encoding.PEM), key_pem, None)


def certificate_credential(cert_path: Path, key_path: Path | None, password: Secret | None) -> dict[str, str]:
    """MSAL's certificate credential: private key plus the public certificate, from which MSAL
    derives the SHA-256 thumbprint (x5t#S256; SHA-1 thumbprints are deprecated)."""
    cert_pem = cert_path.read_bytes()
    key_pem = key_path.read_bytes() if key_path is not None else cert_pem
    return _pem_credential(cert_pem, key_pem, password)


def _pem_credential(cert_pem: bytes, key_pem: bytes, password: Secret | None) -> dict[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise ConfigError("The client certificate setting does not hold a PEM certificate.") from None
    if b"PRIVATE KEY" not in key_pem:
        raise ConfigError(
            "No private key found: put it in the CLIENT_CERTIFICATE_PATH PEM or set CLIENT_CERTIFICATE_KEY_PATH."
        )
    try:
        serialization.load_pem_private_key(key_pem, password.reveal().encode() if password else None)
    except (ValueError, TypeError):
        raise ConfigError("The certificate's private key cannot be read: check CLIENT_CERTIFICATE_PASSWORD.") from None
    credential = {
        "private_key": key_pem.decode("ascii"),
        "public_certificate": cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    }
    if password is not None:
        credential["passphrase"] = password.reveal()
    return credential


def _describe_msal_error(result: dict[str, Any], scope: str) -> str:
    code = str(result.get("error", "unknown_error"))
    hints = {
        "invalid_client": "check CLIENT_SECRET or the certificate, and that it has not expired",
        "unauthorized_client": "check CLIENT_ID and that the app is registered in TENANT_ID",
        "invalid_scope": f"check that the app may request {scope}",
        "invalid_request": "check TENANT_ID and AUTHORITY_HOST",
    }
    hint = hints.get(code, "check TENANT_ID, CLIENT_ID and the credential settings")
    description = str(result.get("error_description", "")).split("\n")[0][:200]
    return f"Sign-in for the app failed ({code}): {hint}. {description}".strip()


class _PinnedSession:
    """A requests session with a timeout (a stalled sign-in service cannot hang a run) and the
    CA trust passed on every call: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE in the
    environment override a session's `verify`, but never a per-request one."""

    def __init__(self, session: Any, timeout: float, verify: str | bool) -> None:
        self._session = session
        self._timeout = timeout
        self._verify = verify

    def post(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        kwargs.setdefault("verify", self._verify)
        return self._session.post(url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self._timeout)
        kwargs.setdefault("verify", self._verify)
        return self._session.get(url, **kwargs)

    def close(self) -> None:
        self._session.close()
