"""Settings from environment variables and `local.settings.json`, validated once at start.

Azure Functions hands app settings to the process as environment variables; locally the same
names live under "Values" in `local.settings.json`. Environment wins, so an admin can override
one value for a single run. Every problem is reported as a ConfigError naming the setting, so a
bad deployment fails at start with a fixable message instead of on the first Graph call.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from teams_sip import throttling_limits as limits
from teams_sip import unverified
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError

AuthMode = Literal["client_secret", "certificate", "managed_identity"]
ProvisioningMode = Literal["api", "assisted"]
StateStoreKind = Literal["sqlite", "table"]

AUTH_MODES: tuple[AuthMode, ...] = ("client_secret", "certificate", "managed_identity")
PROVISIONING_MODES: tuple[ProvisioningMode, ...] = ("api", "assisted")
STATE_STORES: tuple[StateStoreKind, ...] = ("sqlite", "table")

DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_GRAPH_BETA_URL = "https://graph.microsoft.com/beta"
DEFAULT_GRAPH_SCOPE = "https://graph.microsoft.com/.default"
SETTINGS_FILE_VARIABLE = "TEAMS_SIP_SETTINGS_FILE"

_T = TypeVar("_T", bound=str)

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class HttpSettings:
    """How every outbound client behaves: one place so Graph and provisioning retry alike."""

    timeout_seconds: float = 30.0
    max_retries: int = 5
    retry_base_delay_seconds: float = 0.5
    retry_max_delay_seconds: float = 60.0
    max_concurrency: int = 4
    # Throttle budgets per service (issue 21); bulk reads keep below them, a 429 slows only its service.
    identity_units_per_10s: float = float(limits.IDENTITY_UNITS_PER_10S["S"])  # documented; S is the smallest
    teams_requests_per_second: float = limits.TEAMS_OTHER_GET_PER_S  # documented row; userConfigurations assumed
    mail_concurrency_per_mailbox: int = limits.OUTLOOK_CONCURRENT_PER_MAILBOX  # documented
    reports_requests_per_10s: float = float(limits.REPORTS_REQUESTS_PER_10S)  # documented (sign-in logs)
    graph_global_requests_per_10s: float = float(limits.GLOBAL_REQUESTS_PER_10S)  # documented
    device_management_requests_per_second: float = unverified.DEVICE_MANAGEMENT_REQUESTS_PER_S  # a guess
    policy_admin_requests_per_second: float = unverified.POLICY_ADMIN_REQUESTS_PER_S  # a guess


@dataclass(frozen=True)
class RolloutSettings:
    """How the rollout itself behaves: files, install windows, renewals, who hears what."""

    output_dir: Path = Path("output")
    sites_file: Path | None = None
    window_opens_at: time = time(7, 0)
    window_days: int = 2
    max_code_renewals: int = 2
    remove_released_in_teams: bool = False
    mail_sender: str | None = None
    admin_contacts: tuple[str, ...] = ()
    admin_group_id: str | None = None
    compliant_calling_policies: tuple[str, ...] = ()
    import_max_mb: int = 20
    import_max_rows: int = 100_000
    verdict_recheck_hours: float = 24.0
    blobs_endpoint: str | None = None
    artifacts_container: str = "teams-sip"
    import_max_drops: int = 5  # rostered handsets an import may drop without explicit confirmation

    trust_platform_auth_headers: bool = False  # only where App Service authentication sets x-ms-client-principal
    code_fingerprint_key: Secret | None = field(default=None, repr=False)  # HMAC key (Key Vault reference)
    code_fingerprint_key_file: Path | None = None  # else a key file, created (mode 600) on first use

    teamwork_devices: bool = True  # off: never read the SIP device inventory (tenants where it is retired)
    signin_logs: bool = False  # on: read Entra sign-in logs (AuditLog.Read.All, Entra ID P1/P2) as evidence


@dataclass(frozen=True)
class Settings:
    tenant_id: str
    auth_mode: AuthMode
    client_id: str | None = None
    client_secret: Secret | None = field(default=None, repr=False)
    client_certificate_path: Path | None = None
    client_certificate: Secret | None = field(default=None, repr=False)  # PEM text or base64 PFX (Key Vault)
    client_certificate_key_path: Path | None = None
    client_certificate_password: Secret | None = field(default=None, repr=False)
    authority_host: str = DEFAULT_AUTHORITY_HOST
    instance_discovery: bool = True
    graph_base_url: str = DEFAULT_GRAPH_BASE_URL
    graph_beta_base_url: str = DEFAULT_GRAPH_BETA_URL
    graph_scope: str = DEFAULT_GRAPH_SCOPE
    provisioning_mode: ProvisioningMode = "assisted"
    provisioning_base_url: str | None = None
    bulk_signin_base_url: str | None = None
    provisioning_scope: str | None = None  # api mode: the token scope of the gateway implementing our contracts
    policy_admin_base_url: str | None = None
    ca_bundle: Path | None = None
    state_store: StateStoreKind = "sqlite"
    sqlite_path: Path = Path("teams-sip.sqlite3")
    tables_endpoint: str | None = None
    http: HttpSettings = field(default_factory=HttpSettings)
    rollout: RolloutSettings = field(default_factory=RolloutSettings)
    tenant_name: str | None = None  # the tenant's name in a partner's TENANTS_FILE; None in a single deployment

    @property
    def authority(self) -> str:
        """MSAL wants the tenant-specific authority: host plus tenant id as the path."""
        return f"{self.authority_host.rstrip('/')}/{self.tenant_id}"

    @property
    def graph_host(self) -> str:
        """Host the Graph token may be sent to; kiota's validator refuses every other host."""
        return (urlsplit(self.graph_base_url).hostname or "").lower()


def load_settings(env: Mapping[str, str] | None = None, settings_file: Path | None = None) -> Settings:
    """Read, merge and validate. `env` defaults to os.environ; the file defaults to
    $TEAMS_SIP_SETTINGS_FILE or ./local.settings.json when it exists."""
    return settings_from_values(load_values(env, settings_file))


def load_values(env: Mapping[str, str] | None = None, settings_file: Path | None = None) -> dict[str, str]:
    """The merged name -> text values `load_settings` validates (environment over file), for a
    command that overlays its own (`check --simulator` points them at a simulated tenant)."""
    environ = dict(os.environ if env is None else env)
    path = settings_file
    if path is None and environ.get(SETTINGS_FILE_VARIABLE):
        path = Path(environ[SETTINGS_FILE_VARIABLE])
    if path is None and Path("local.settings.json").is_file():
        path = Path("local.settings.json")
    values: dict[str, str] = _read_settings_file(path) if path is not None else {}
    values.update({k: v for k, v in environ.items() if v != ""})
    return values


def _read_settings_file(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Settings file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Settings file {path} is not readable JSON ({type(exc).__name__}).") from None
    values = data.get("Values") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        raise ConfigError(f'Settings file {path} has no "Values" object.')
    out: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            out[str(key)] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[str(key)] = str(value)
        else:
            raise ConfigError(f'Setting {key} in {path} must be a string, number or boolean.')
    return out


def settings_from_values(values: Mapping[str, str]) -> Settings:
    """Validate a flat name -> text mapping (the merged environment) into Settings."""
    v = SettingReader(values)
    tenant_id = v.guid("TENANT_ID", required=True)
    assert tenant_id is not None
    client_secret = v.secret("CLIENT_SECRET")
    cert_path = v.existing_file("CLIENT_CERTIFICATE_PATH")
    cert_text = v.secret("CLIENT_CERTIFICATE")
    auth_mode = v.choice("AUTH_MODE", AUTH_MODES,
                         default=_infer_auth_mode(client_secret, cert_path or (Path() if cert_text else None)))
    client_id = v.guid("CLIENT_ID", required=auth_mode != "managed_identity")
    if auth_mode == "client_secret" and client_secret is None:
        raise ConfigError("CLIENT_SECRET is required when AUTH_MODE is client_secret.")
    if auth_mode == "certificate" and cert_path is None and cert_text is None:
        raise ConfigError("CLIENT_CERTIFICATE_PATH (a PEM file) or CLIENT_CERTIFICATE (PEM text or base64 PFX, "
                          "e.g. a Key Vault reference) is required when AUTH_MODE is certificate.")
    provisioning_mode = v.choice("PROVISIONING_MODE", PROVISIONING_MODES, default="assisted")
    provisioning_url = v.url("PROVISIONING_BASE_URL")
    if provisioning_mode == "api" and provisioning_url is None:
        raise ConfigError("PROVISIONING_BASE_URL is required when PROVISIONING_MODE is api: the URL of a service "
                          "that implements our provisioning contract (docs/provisioning-api.md), such as the "
                          "simulator; Microsoft documents no such API.")
    state_store = v.choice("STATE_STORE", STATE_STORES, default="sqlite")
    tables_endpoint = v.url("TABLES_ENDPOINT")
    if state_store == "table" and tables_endpoint is None:
        raise ConfigError("TABLES_ENDPOINT is required when STATE_STORE is table.")
    http = HttpSettings(
        timeout_seconds=v.number("HTTP_TIMEOUT_SECONDS", 30.0, low=0.05, high=600.0),
        max_retries=int(v.number("HTTP_MAX_RETRIES", 5, low=0, high=10, whole=True)),
        retry_base_delay_seconds=v.number("HTTP_RETRY_BASE_DELAY_SECONDS", 0.5, low=0.0, high=60.0),
        retry_max_delay_seconds=v.number("HTTP_RETRY_MAX_DELAY_SECONDS", 60.0, low=0.0, high=179.0),
        max_concurrency=int(v.number("HTTP_MAX_CONCURRENCY", 4, low=1, high=32, whole=True)),
        **_throttle_settings(v),
    )
    return Settings(
        tenant_id=tenant_id,
        auth_mode=auth_mode,
        client_id=client_id,
        client_secret=client_secret,
        client_certificate_path=cert_path,
        client_certificate=cert_text,
        client_certificate_key_path=v.existing_file("CLIENT_CERTIFICATE_KEY_PATH"),
        client_certificate_password=v.secret("CLIENT_CERTIFICATE_PASSWORD"),
        authority_host=v.url("AUTHORITY_HOST", https_only=True) or DEFAULT_AUTHORITY_HOST,
        instance_discovery=v.flag("INSTANCE_DISCOVERY", default=True),
        graph_base_url=v.url("GRAPH_BASE_URL", https_only=True) or DEFAULT_GRAPH_BASE_URL,
        graph_beta_base_url=v.url("GRAPH_BETA_BASE_URL", https_only=True) or DEFAULT_GRAPH_BETA_URL,
        graph_scope=v.text("GRAPH_SCOPE") or DEFAULT_GRAPH_SCOPE,
        provisioning_mode=provisioning_mode,
        provisioning_base_url=provisioning_url,
        bulk_signin_base_url=v.url("BULK_SIGNIN_BASE_URL"),
        provisioning_scope=v.text("PROVISIONING_SCOPE"),
        policy_admin_base_url=v.url("POLICY_ADMIN_BASE_URL"),
        ca_bundle=v.existing_file("CA_BUNDLE"),
        state_store=state_store,
        sqlite_path=Path(v.text("SQLITE_PATH") or "teams-sip.sqlite3"),
        tables_endpoint=tables_endpoint,
        http=http,
        rollout=_rollout_settings(v),
    )


def _rollout_settings(v: SettingReader) -> RolloutSettings:
    opens = v.text("WINDOW_OPENS_AT") or "07:00"
    try:
        opens_at = time.fromisoformat(opens)
    except ValueError:
        raise ConfigError(f"WINDOW_OPENS_AT must be a local time like 07:00 (got {opens!r}).") from None
    return RolloutSettings(
        output_dir=Path(v.text("OUTPUT_DIR") or "output"),
        sites_file=v.existing_file("SITES_FILE"),
        window_opens_at=opens_at,
        window_days=int(v.number("WINDOW_DAYS", 2, low=1, high=14, whole=True)),
        max_code_renewals=int(v.number("MAX_CODE_RENEWALS", 2, low=0, high=10, whole=True)),
        remove_released_in_teams=v.flag("REMOVE_RELEASED_IN_TEAMS", default=False),
        mail_sender=v.text("MAIL_SENDER"),
        admin_contacts=v.names("ADMIN_CONTACTS"),
        admin_group_id=v.guid("ADMIN_GROUP_ID", required=False),
        compliant_calling_policies=v.names("COMPLIANT_CALLING_POLICIES"),
        import_max_mb=int(v.number("IMPORT_MAX_MB", 20, low=1, high=200, whole=True)),
        import_max_rows=int(v.number("IMPORT_MAX_ROWS", 100_000, low=1, high=1_000_000, whole=True)),
        verdict_recheck_hours=v.number("VERDICT_RECHECK_HOURS", 24.0, low=0.0, high=24.0 * 30),
        blobs_endpoint=v.url("BLOBS_ENDPOINT"),
        artifacts_container=v.text("ARTIFACTS_CONTAINER") or "teams-sip",
        import_max_drops=int(v.number("IMPORT_MAX_DROPS", 5, low=0, high=1_000_000, whole=True)),

        trust_platform_auth_headers=v.flag("TRUST_PLATFORM_AUTH_HEADERS", default=False),
        code_fingerprint_key=v.secret("CODE_FINGERPRINT_KEY"),
        code_fingerprint_key_file=_optional_path(v.text("CODE_FINGERPRINT_KEY_FILE")),

        teamwork_devices=v.flag("TEAMWORK_DEVICES", default=True),
        signin_logs=v.flag("SIGNIN_LOGS", default=False),
    )


def _optional_path(text: str | None) -> Path | None:
    return Path(text) if text else None


def _infer_auth_mode(secret: Secret | None, cert: Path | None) -> AuthMode:
    """Without AUTH_MODE, the credential given decides; with none, Azure's managed identity."""
    if cert is not None:
        return "certificate"
    if secret is not None:
        return "client_secret"
    return "managed_identity"


class SettingReader:
    """Typed access to raw setting text; each failure names the setting and what it expects."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def text(self, name: str) -> str | None:
        raw = self._values.get(name)
        return raw.strip() if raw is not None and raw.strip() else None

    def secret(self, name: str) -> Secret | None:
        raw = self._values.get(name)
        return Secret(raw) if raw else None

    def guid(self, name: str, *, required: bool) -> str | None:
        raw = self.text(name)
        if raw is None:
            if required:
                raise ConfigError(f"{name} is missing: set it to the directory (tenant) or app GUID from Entra ID.")
            return None
        if not _GUID.match(raw):
            raise ConfigError(f"{name} must be a GUID like 00000000-0000-0000-0000-000000000000.")
        return raw.lower()

    def choice(self, name: str, options: tuple[_T, ...], *, default: _T) -> _T:
        raw = self.text(name)
        if raw is None:
            return default
        for option in options:
            if raw.lower() == option:
                return option
        raise ConfigError(f"{name} must be one of {', '.join(options)} (got {raw!r}).")

    def url(self, name: str, *, https_only: bool = False) -> str | None:
        raw = self.text(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        schemes = ("https",) if https_only else ("https", "http")
        if parts.scheme not in schemes or not parts.netloc:
            raise ConfigError(f"{name} must be an absolute {' or '.join(schemes)} URL (got {raw!r}).")
        return raw.rstrip("/")

    def existing_file(self, name: str) -> Path | None:
        raw = self.text(name)
        if raw is None:
            return None
        path = Path(raw).expanduser()
        if not path.is_file():
            raise ConfigError(f"{name} points to {path}, which is not a readable file.")
        return path

    def names(self, name: str) -> tuple[str, ...]:
        """A list setting: names separated by commas or semicolons."""
        raw = self.text(name) or ""
        return tuple(part.strip() for part in raw.replace(";", ",").split(",") if part.strip())

    def flag(self, name: str, *, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{name} must be true or false (got {raw!r}).")

    def number(self, name: str, default: float, *, low: float, high: float, whole: bool = False) -> float:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number (got {raw!r}).") from None
        if not low <= value <= high or (whole and not value.is_integer()):
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"{name} must be {kind} between {low:g} and {high:g} (got {raw!r}).")
        return value


def _throttle_settings(v: SettingReader) -> dict[str, Any]:
    """The per-service budgets. HTTP_REQUESTS_PER_SECOND (deprecated: one app-wide figure) still sets
    the request rates (Teams, device management, policy admin) that are not set on their own."""
    legacy = v.number("HTTP_REQUESTS_PER_SECOND", 0.0, low=1.0, high=100_000.0) or None
    d = HttpSettings()

    def rate(name: str, default: float) -> float:
        return v.number(name, legacy or default, low=0.1, high=100_000.0)

    return {
        "identity_units_per_10s": v.number("GRAPH_IDENTITY_UNITS_PER_10S", d.identity_units_per_10s,
                                           low=1.0, high=1_000_000.0),
        "teams_requests_per_second": rate("GRAPH_TEAMS_REQUESTS_PER_SECOND", d.teams_requests_per_second),
        "mail_concurrency_per_mailbox": int(v.number("GRAPH_MAIL_CONCURRENCY_PER_MAILBOX",
                                                     d.mail_concurrency_per_mailbox, low=1, high=32, whole=True)),
        "reports_requests_per_10s": v.number("GRAPH_REPORTS_REQUESTS_PER_10S", d.reports_requests_per_10s,
                                             low=0.1, high=100_000.0),
        "graph_global_requests_per_10s": v.number("GRAPH_GLOBAL_REQUESTS_PER_10S", d.graph_global_requests_per_10s,
                                                  low=1.0, high=10_000_000.0),
        "device_management_requests_per_second": rate("DEVICE_MANAGEMENT_REQUESTS_PER_SECOND",
                                                      d.device_management_requests_per_second),
        "policy_admin_requests_per_second": rate("POLICY_ADMIN_REQUESTS_PER_SECOND",
                                                 d.policy_admin_requests_per_second),
    }
