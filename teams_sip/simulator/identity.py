"""Simulated Entra ID: OpenID discovery, the v2.0 token endpoint for client credentials (secret
or certificate assertion), and validation of the tokens it issued on every API call."""

from __future__ import annotations

import base64
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from teams_sip.domain.clock import ManualClock
from teams_sip.simulator import invented
from teams_sip.simulator.catalog import RESOURCE_ROLES
from teams_sip.simulator.scenario import AppRegistration
from teams_sip.simulator.tls import thumbprints

TOKEN_LIFETIME = timedelta(seconds=invented.TOKEN_LIFETIME_S)
_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class Principal:
    app_id: str
    roles: frozenset[str]


class AuthError(Exception):
    """401 (token missing, malformed, expired, wrong audience) with Graph's error body."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _aad_error(status: int, error: str, code: int, text: str) -> tuple[int, dict[str, Any]]:
    trace = str(uuid.uuid4())
    return status, {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {trace}",
        "error_codes": [code],
        "trace_id": trace,
        "correlation_id": str(uuid.uuid4()),
    }


class Identity:
    def __init__(self, tenant_id: str, app: AppRegistration, app_cert_pem: bytes, clock: ManualClock, base_url: str):
        self.tenant_id = tenant_id
        self.app = app
        self._roles = frozenset(app.roles)
        self._lock = threading.Lock()
        self.clock = clock
        self.base_url = base_url
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = uuid.uuid4().hex
        self._app_cert = x509.load_pem_x509_certificate(app_cert_pem)
        self._thumb_sha1, self._thumb_sha256 = thumbprints(app_cert_pem)
        self.issuer = f"https://sts.windows.net/{tenant_id}/"

    def set_roles(self, roles: list[str]) -> None:
        """Changes the app's granted permissions; tokens issued before keep their old roles."""
        with self._lock:
            self._roles = frozenset(roles)

    @property
    def token_endpoint(self) -> str:
        return f"{self.base_url}/{self.tenant_id}/oauth2/v2.0/token"

    def discovery(self) -> dict[str, Any]:
        root = f"{self.base_url}/{self.tenant_id}"
        return {
            "token_endpoint": self.token_endpoint,
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{root}/v2.0",
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [jwk | {"kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The client-credentials grant; answers (status, JSON) exactly as Entra shapes them."""
        if tenant not in (self.tenant_id, "organizations"):
            return _aad_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return _aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        client_id = form.get("client_id", "")
        if client_id != self.app.client_id:
            return _aad_error(
                400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was not found."
            )
        scope = form.get("scope", "").strip()
        if not scope.endswith("/.default") or " " in scope:
            return _aad_error(
                400, "invalid_scope", 1002012, "Client credential flows must have a scope value with /.default."
            )
        resource = scope.removesuffix("/.default")
        if resource not in RESOURCE_ROLES:
            text = f"The resource principal named {resource} was not found."
            return _aad_error(400, "invalid_resource", 500011, text)
        if "client_assertion" in form:
            problem = self._check_assertion(form)
            if problem:
                return _aad_error(401, "invalid_client", 700027, problem)
        elif form.get("client_secret") != self.app.client_secret:
            return _aad_error(401, "invalid_client", 7000215, "Invalid client secret provided.")
        now = self.clock.now()
        with self._lock:
            roles = sorted(self._roles & RESOURCE_ROLES[resource])
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": self.issuer,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + TOKEN_LIFETIME).timestamp()),
            "appid": client_id,
            "azp": client_id,
            "idtyp": "app",
            "oid": str(uuid.uuid5(uuid.UUID(self.tenant_id), client_id)),
            "tid": self.tenant_id,
            "uti": uuid.uuid4().hex,
            "roles": roles,
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        lifetime = int(TOKEN_LIFETIME.total_seconds())
        return 200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}

    def _check_assertion(self, form: dict[str, str]) -> str | None:
        if form.get("client_assertion_type") != _ASSERTION_TYPE:
            return "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer."
        assertion = form["client_assertion"]
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return "Client assertion is not a well-formed JWT."
        known = {
            "x5t": _b64_thumb(self._thumb_sha1),
            "x5t#S256": _b64_thumb(self._thumb_sha256),
        }
        if not any(str(header.get(k, "")).rstrip("=") == v for k, v in known.items()):
            return "Client assertion contains an invalid signature: the certificate is not registered for the app."
        try:
            claims = jwt.decode(
                assertion,
                self._app_cert.public_key(),  # type: ignore[arg-type]
                algorithms=["RS256", "PS256"],
                audience=self.token_endpoint,
                leeway=300,
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.InvalidAudienceError:
            return f"The audience of the client assertion must be {self.token_endpoint}."
        except jwt.ExpiredSignatureError:
            return "The client assertion has expired."
        except jwt.PyJWTError:
            return "Client assertion contains an invalid signature."
        if claims.get("iss") != self.app.client_id or claims.get("sub") != self.app.client_id:
            return "The iss and sub claims of the client assertion must be the client id."
        return None

    def validate(self, authorization: str | None, audience: str) -> Principal:
        """Checks signature, audience and expiry (against the simulated clock) of a bearer token."""
        if not authorization:
            raise AuthError("Access token is empty.")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("Access token validation failure: expected a Bearer token.")
        try:
            claims = jwt.decode(
                token.strip(),
                self._key.public_key(),
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            raise AuthError("Access token validation failure: malformed token or invalid signature.") from None
        if claims.get("aud") != audience:
            raise AuthError("Access token validation failure. Invalid audience.")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= self.clock.now().timestamp():
            raise AuthError("Lifetime validation failed, the token is expired.")
        return Principal(str(claims.get("appid", "")), frozenset(claims.get("roles", [])))


def _b64_thumb(hex_digest: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).decode().rstrip("=")
