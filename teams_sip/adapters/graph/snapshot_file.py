"""Parsing the snapshot file a finished configuration snapshot job points at (resourceLocation).

Microsoft does not document this file's layout. Two shapes are seen (teams_sip.unverified names
both); anything else is refused whole with a message saying what was found, never half-read.
Property names are the documented UTCM resource parameters (Identity, AllowSIPDevicesCalling, ...).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from teams_sip.domain.eligibility.policies import CallingPolicySettings
from teams_sip.domain.eligibility.tenant_config import (
    ConditionalAccessPolicy,
    IpPhonePolicySettings,
    TenantConfiguration,
    TrustedIpRange,
)
from teams_sip.service.ports.config_snapshots import (
    CALLING_POLICY,
    CONDITIONAL_ACCESS,
    IP_PHONE_POLICY,
    TRUSTED_IP,
    SnapshotError,
)
from teams_sip.unverified import (
    SNAPSHOT_MFA_CONTROL,
    SNAPSHOT_PROPERTIES_KEY,
    SNAPSHOT_RESOURCES_KEY,
    SNAPSHOT_TYPE_ALIASES,
    SNAPSHOT_TYPE_KEYS,
)


class SnapshotLayoutError(SnapshotError):
    """The snapshot file has a layout this service does not know."""


def _entries(body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(resource type, properties) of every entry, from either known layout."""
    if isinstance(body, dict) and isinstance(body.get(SNAPSHOT_RESOURCES_KEY), list):
        items, layout = body[SNAPSHOT_RESOURCES_KEY], "resources"
    elif isinstance(body, dict) and isinstance(body.get("value"), list):
        items, layout = body["value"], "items"
    elif isinstance(body, list):
        items, layout = body, "items"
    else:
        found = sorted(body)[:5] if isinstance(body, dict) else type(body).__name__
        raise SnapshotLayoutError(
            f"the snapshot file has an unknown layout (found {found}); expected a 'resources' list or a list "
            "of configuration items"
        )
    for index, item in enumerate(items):
        kind = next((item[k] for k in SNAPSHOT_TYPE_KEYS if isinstance(item, dict) and isinstance(item.get(k), str)),
                    None)
        props = item.get(SNAPSHOT_PROPERTIES_KEY) if layout == "resources" and isinstance(item, dict) else item
        if kind is None or not isinstance(props, dict):
            raise SnapshotLayoutError(f"snapshot entry {index} names no resource type or has no properties")
        kind = kind.strip().lower()
        yield SNAPSHOT_TYPE_ALIASES.get(kind, kind), props


def _text(props: dict[str, Any], key: str) -> str | None:
    value = props.get(key)
    return value if isinstance(value, str) else None


def _strings(props: dict[str, Any], key: str) -> tuple[str, ...]:
    value = props.get(key)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _absent(props: dict[str, Any]) -> bool:
    return (_text(props, "Ensure") or "Present").lower() == "absent"


def _calling(props: dict[str, Any]) -> CallingPolicySettings | None:
    name = _text(props, "Identity")
    sip = props.get("AllowSIPDevicesCalling")
    return None if name is None else CallingPolicySettings(
        name, sip if isinstance(sip, bool) else None, _text(props, "AllowCallRedirect"))


def _ip_phone(props: dict[str, Any]) -> IpPhonePolicySettings | None:
    name = _text(props, "Identity")
    return None if name is None else IpPhonePolicySettings(name, _text(props, "SignInMode"))


def _trusted(props: dict[str, Any]) -> TrustedIpRange | None:
    name = _text(props, "Identity")
    bits = props.get("MaskBits")
    return None if name is None else TrustedIpRange(name, bits if isinstance(bits, int) else None)


def _ca(props: dict[str, Any]) -> ConditionalAccessPolicy | None:
    name = _text(props, "DisplayName")
    if name is None:
        return None
    controls = {c.lower() for c in _strings(props, "BuiltInControls")}
    mfa = SNAPSHOT_MFA_CONTROL in controls or bool(_text(props, "AuthenticationStrength"))
    return ConditionalAccessPolicy(
        name, _text(props, "State") or "", mfa,
        _strings(props, "IncludeUsers"), _strings(props, "ExcludeUsers"),
        _strings(props, "IncludeGroups"), _strings(props, "ExcludeGroups"),
    )


_PARSERS: dict[str, Any] = {CALLING_POLICY: _calling, IP_PHONE_POLICY: _ip_phone, TRUSTED_IP: _trusted,
                            CONDITIONAL_ACCESS: _ca}


def parse_snapshot(body: Any, taken_at: datetime, covered: tuple[str, ...]) -> TenantConfiguration:
    """`covered` are the resource types the job extracted: a type covered but without entries is an
    empty list (no trusted IPs), a type not covered stays None (not read)."""
    found: dict[str, list[Any]] = {kind: [] for kind in covered if kind in _PARSERS}
    count = 0
    for kind, props in _entries(body):
        count += 1
        parser = _PARSERS.get(kind)
        if parser is None or _absent(props):
            continue
        value = parser(props)
        if value is not None:
            found.setdefault(kind, []).append(value)

    def of(kind: str) -> tuple[Any, ...] | None:
        return tuple(found[kind]) if kind in found else None

    return TenantConfiguration(taken_at, of(CALLING_POLICY), of(IP_PHONE_POLICY), of(TRUSTED_IP),
                               of(CONDITIONAL_ACCESS), count)
