"""What one deployment serves: the single tenant of its own settings (no TENANTS_FILE, exactly as
before), or the customer tenants of a partner listed in TENANTS_FILE, each with its own Settings.

Each tenant's Settings are the deployment's values with the entry's overlays laid on top and then
validated by `settings_from_values`, so a tenant is configured by the same rules and error messages
as a single deployment. Nothing here opens a store or a connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from teams_sip.config import SettingReader, Settings, load_values, settings_from_values
from teams_sip.errors import ConfigError
from teams_sip.tenancy.tenants_file import CREDENTIAL_SETTINGS, TenantEntry, read_tenants_file

TENANTS_FILE = "TENANTS_FILE"
PARTNER_GROUP = "PARTNER_ADMIN_GROUP_ID"


class UnknownTenantError(ConfigError):
    """A tenant was named that this deployment does not serve; the message lists those it does."""

    http_status = 404


@dataclass(frozen=True)
class Deployment:
    settings: Mapping[str, Settings] = field(repr=False)  # tenant name -> its settings; one "" when single
    entries: Mapping[str, TenantEntry] = field(default_factory=dict, repr=False)
    partner_admin_group_id: str | None = None
    tenants_file: Path | None = None

    @property
    def multi(self) -> bool:
        return self.tenants_file is not None

    @property
    def names(self) -> list[str]:
        return sorted(self.settings) if self.multi else []

    @property
    def base(self) -> Settings:
        """The deployment-wide settings (stores, artefacts, keys), the same in every tenant's."""
        return next(iter(self.settings.values()))

    def settings_for(self, name: str | None) -> Settings:
        """The settings of tenant `name`. A single-tenant deployment takes no name; a partner's
        takes one unless it serves exactly one tenant."""
        if not self.multi:
            if name:
                raise UnknownTenantError(f"this deployment serves one tenant (no {TENANTS_FILE}); "
                                         f"leave out the tenant name {name!r}")
            return self.settings[""]
        if not name:
            if len(self.settings) == 1:
                return next(iter(self.settings.values()))
            raise ConfigError(f"this deployment serves {len(self.settings)} tenants; name one "
                              f"(--tenant NAME): {', '.join(self.names)}")
        found = self.settings.get(name)
        if found is None:
            raise UnknownTenantError(f"no tenant is named {name!r}; this deployment serves: {', '.join(self.names)}")
        return found

    def display_name(self, name: str) -> str:
        entry = self.entries.get(name)
        return entry.display_name if entry is not None else name


def load_deployment(env: Mapping[str, str] | None = None, settings_file: Path | None = None) -> Deployment:
    return deployment_from_values(load_values(env, settings_file))


def deployment_from_values(values: Mapping[str, str]) -> Deployment:
    raw = (values.get(TENANTS_FILE) or "").strip()
    partner = _partner_group(values)
    if not raw:
        return Deployment({"": settings_from_values(values)}, partner_admin_group_id=partner)
    path = Path(raw).expanduser()
    entries = read_tenants_file(path, values)
    settings: dict[str, Settings] = {}
    problems: list[str] = []
    for entry in entries:
        try:
            settings[entry.name] = tenant_settings(values, entry)
        except ConfigError as exc:
            problems.append(f"tenant {entry.name!r}: {exc}")
    if problems:
        raise ConfigError(f"{TENANTS_FILE} {path} has problems; nothing was loaded:\n  " + "\n  ".join(problems))
    return Deployment(settings, {e.name: e for e in entries}, partner, path)


def tenant_settings(values: Mapping[str, str], entry: TenantEntry) -> Settings:
    merged = dict(values)
    if entry.own_credential:
        for name in CREDENTIAL_SETTINGS:
            merged.pop(name, None)
    merged.update(entry.overlay)
    return replace(settings_from_values(merged), tenant_name=entry.name)


def _partner_group(values: Mapping[str, str]) -> str | None:
    return SettingReader(values).guid(PARTNER_GROUP, required=False)
