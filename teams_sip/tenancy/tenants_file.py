"""The tenants file (TENANTS_FILE): one entry per customer tenant a partner's deployment serves.

JSON (`[{...}]` or `{"tenants": [{...}]}`) or CSV with the same field names as columns. Each entry
becomes a set of setting overlays on the deployment's own settings, so a tenant's settings are
validated by exactly the rules of a single-tenant deployment. Secrets are never written in the file:
a credential names the app setting that holds it (in Azure, a Key Vault reference), and that value
is read from the environment. Every problem of every entry is reported at once, naming the entry.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teams_sip.errors import ConfigError

NAME = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
"""Tenant names are slugs: they appear in URLs (api/tenants/NAME), store keys and blob prefixes."""
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")
MAX_FILE_BYTES = 2_000_000

DEPLOYMENT_WIDE = frozenset({
    "TENANTS_FILE", "PARTNER_ADMIN_GROUP_ID", "TENANT_ID", "STATE_STORE", "SQLITE_PATH", "TABLES_ENDPOINT",
    "BLOBS_ENDPOINT", "ARTIFACTS_CONTAINER", "OUTPUT_DIR", "CODE_FINGERPRINT_KEY", "CODE_FINGERPRINT_KEY_FILE",
    "TRUST_PLATFORM_AUTH_HEADERS", "GRAPH_GLOBAL_REQUESTS_PER_10S", "RECONCILE_SCHEDULE",
})
"""Settings one deployment has once: its stores, its keys, the app's global throttle figure."""

CREDENTIAL_SETTINGS = ("AUTH_MODE", "CLIENT_ID", "CLIENT_SECRET", "CLIENT_CERTIFICATE", "CLIENT_CERTIFICATE_PATH",
                       "CLIENT_CERTIFICATE_KEY_PATH", "CLIENT_CERTIFICATE_PASSWORD")
"""Replaced as a whole when an entry brings its own app (a per-tenant registration)."""

_FIELDS = {"name", "tenantId", "displayName", "sitesFile", "mailSender", "adminContacts", "adminGroupId",
           "credential", "settings"}
_CREDENTIAL_FIELDS = {"clientId", "authMode", "clientSecretSetting", "certificateSetting", "certificatePath",
                      "certificatePasswordSetting"}
_CSV_CREDENTIAL = {f: f for f in _CREDENTIAL_FIELDS}


@dataclass(frozen=True)
class TenantEntry:
    name: str
    tenant_id: str
    display_name: str
    overlay: dict[str, str] = field(repr=False)  # setting name -> text, laid over the deployment's values
    own_credential: bool = False


def read_tenants_file(path: Path, environ: Mapping[str, str]) -> list[TenantEntry]:
    """The entries of the file at `path`; `environ` holds the app settings credentials name."""
    try:
        raw = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise ConfigError(f"TENANTS_FILE {path} cannot be read ({exc.strerror or exc}).") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"TENANTS_FILE {path} is larger than {MAX_FILE_BYTES:,} bytes.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"TENANTS_FILE {path} is not UTF-8 text.") from None
    items = _csv_items(text) if path.suffix.lower() == ".csv" else _json_items(text, path)
    return parse_entries(items, base=path.parent, environ=environ, where=f"TENANTS_FILE {path}")


def _json_items(text: str, path: Path) -> list[Any]:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ConfigError(f"TENANTS_FILE {path} is not valid JSON.") from None
    if isinstance(data, dict) and isinstance(data.get("tenants"), list):
        data = data["tenants"]
    if not isinstance(data, list):
        raise ConfigError(f'TENANTS_FILE {path} must hold a list of tenants, or {{"tenants": [...]}}.')
    return data


def _csv_items(text: str) -> list[Any]:
    """Columns are the JSON fields; credential fields sit flat; UPPER_CASE columns are settings."""
    items: list[Any] = []
    for row in csv.DictReader(io.StringIO(text)):
        item: dict[str, Any] = {}
        credential: dict[str, str] = {}
        settings: dict[str, str] = {}
        for key, value in row.items():
            key, value = (key or "").strip(), (value or "").strip()
            if not key or not value:
                continue
            if key in _CSV_CREDENTIAL:
                credential[key] = value
            elif _SETTING.match(key):
                settings[key] = value
            else:
                item[key] = value
        if credential:
            item["credential"] = credential
        if settings:
            item["settings"] = settings
        items.append(item)
    return items


def parse_entries(items: list[Any], *, base: Path, environ: Mapping[str, str], where: str) -> list[TenantEntry]:
    entries: list[TenantEntry] = []
    problems: list[str] = []
    for number, item in enumerate(items, 1):
        label = f"entry {number}" + (f" ({item.get('name')!r})" if isinstance(item, dict) and item.get("name") else "")
        try:
            entries.append(_entry(item, base, environ))
        except ConfigError as exc:
            problems.append(f"{label}: {exc}")
    for what, values in (("name", [e.name for e in entries]), ("tenant id", [e.tenant_id for e in entries])):
        for value in sorted({v for v in values if values.count(v) > 1}):
            problems.append(f"the {what} {value!r} appears more than once")
    if not items:
        problems.append("no tenants are listed")
    if problems:
        raise ConfigError(f"{where} has problems; nothing was loaded:\n  " + "\n  ".join(problems))
    return entries


def _text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text")
    return value.strip()


def _entry(item: Any, base: Path, environ: Mapping[str, str]) -> TenantEntry:
    if not isinstance(item, dict):
        raise ConfigError("each tenant must be an object with name and tenantId")
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise ConfigError(f"unknown field(s) {unknown}; known: {sorted(_FIELDS)}")
    name = _text(item, "name") or ""
    if not NAME.match(name):
        raise ConfigError(f"name {name!r} must be 1-40 lower-case letters, digits or hyphens (not at either end)")
    tenant_id = _text(item, "tenantId") or ""
    if not _GUID.match(tenant_id):
        raise ConfigError("tenantId must be the customer's directory (tenant) GUID")
    overlay: dict[str, str] = {"TENANT_ID": tenant_id.lower()}
    sites = _text(item, "sitesFile")
    if sites:
        overlay["SITES_FILE"] = str(base / sites) if not Path(sites).is_absolute() else sites
    for field_name, setting in (("mailSender", "MAIL_SENDER"), ("adminGroupId", "ADMIN_GROUP_ID")):
        value = _text(item, field_name)
        if value:
            overlay[setting] = value
    contacts = item.get("adminContacts")
    if isinstance(contacts, list) and all(isinstance(c, str) for c in contacts):
        overlay["ADMIN_CONTACTS"] = ",".join(contacts)
    elif isinstance(contacts, str) and contacts.strip():
        overlay["ADMIN_CONTACTS"] = contacts
    elif contacts not in (None, ""):
        raise ConfigError("adminContacts must be a list of addresses or text separated by ; or ,")
    overlay.update(_settings(item.get("settings")))
    credential = item.get("credential")
    if credential is not None:
        overlay.update(_credential(credential, base, environ))
    return TenantEntry(name, tenant_id.lower(), _text(item, "displayName") or name, overlay, credential is not None)


def _settings(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("settings must be an object of SETTING_NAME: value")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not _SETTING.match(key):
            raise ConfigError(f"settings name {key!r} is not a setting name (UPPER_CASE)")
        if key in DEPLOYMENT_WIDE:
            raise ConfigError(f"{key} is set once for the whole deployment, not per tenant")
        if key in CREDENTIAL_SETTINGS:
            raise ConfigError(f"{key} belongs in credential (secrets by the name of the app setting holding them)")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str | int | float):
            raise ConfigError(f"settings {key} must be text, a number or true/false")
        out[key] = str(value)
    return out


def _credential(raw: Any, base: Path, environ: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ConfigError("credential must be an object")
    if {"clientSecret", "certificate", "certificatePassword"} & set(raw):
        raise ConfigError("secrets never go in the tenants file: keep the secret in an app setting (a Key Vault "
                          "reference) and give its name as clientSecretSetting / certificateSetting")
    unknown = sorted(set(raw) - _CREDENTIAL_FIELDS)
    if unknown:
        raise ConfigError(f"unknown credential field(s) {unknown}; known: {sorted(_CREDENTIAL_FIELDS)}")
    out: dict[str, str] = {}
    for field_name, setting in (("clientId", "CLIENT_ID"), ("authMode", "AUTH_MODE")):
        value = _text(raw, field_name)
        if value:
            out[setting] = value
    path = _text(raw, "certificatePath")
    if path:
        out["CLIENT_CERTIFICATE_PATH"] = str(base / path) if not Path(path).is_absolute() else path
    for field_name, setting in (("clientSecretSetting", "CLIENT_SECRET"), ("certificateSetting", "CLIENT_CERTIFICATE"),
                                ("certificatePasswordSetting", "CLIENT_CERTIFICATE_PASSWORD")):
        named = _text(raw, field_name)
        if named is None:
            continue
        if not _SETTING.match(named):
            raise ConfigError(f"{field_name} must name an app setting (UPPER_CASE), not hold the secret itself")
        if not environ.get(named):
            raise ConfigError(f"{field_name} names the app setting {named}, which is not set")
        out[setting] = environ[named]
    return out
