"""The tenant's Teams and Entra settings as one configuration snapshot shows them (issue 19).

A snapshot is the only documented Graph view of a calling policy's AllowSIPDevicesCalling, an IP
phone policy's SignInMode, the tenant's trusted IPs and Conditional Access policies. These types
are what the snapshot adapter parses into and what the judges in `snapshot_judge` read; they carry
the moment the snapshot was taken, because a judgement from old settings must say how old they are.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from teams_sip.domain.eligibility.policies import CallingPolicySettings, policy_key

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class IpPhonePolicySettings:
    name: str  # Identity: "Global" or "Tag:<name>"
    sign_in_mode: str | None  # UserSignIn | CommonAreaPhoneSignIn | MeetingSignIn


@dataclass(frozen=True)
class TrustedIpRange:
    """One tenant trusted IP: Identity is the address, MaskBits the prefix length (absent: one host)."""

    identity: str
    mask_bits: int | None = None

    def network(self) -> IpNetwork | None:
        """The range, or None when Identity is not an address (such an entry trusts nothing)."""
        try:
            address = ipaddress.ip_address(self.identity.strip())
        except ValueError:
            return None
        bits = address.max_prefixlen if self.mask_bits is None else self.mask_bits
        try:
            return ipaddress.ip_network(f"{address}/{bits}", strict=False)
        except ValueError:
            return None


@dataclass(frozen=True)
class ConditionalAccessPolicy:
    """The parts of a Conditional Access policy that decide whether it asks a given account for MFA."""

    name: str
    state: str  # enabled | disabled | enabledForReportingButNotEnforced
    requires_mfa: bool
    include_users: tuple[str, ...] = ()  # ids or UPNs; "All" = every user
    exclude_users: tuple[str, ...] = ()
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class TenantConfiguration:
    """Everything one snapshot showed. A resource type the snapshot did not cover is None, so
    "no trusted IPs" and "trusted IPs not read" never look alike."""

    taken_at: datetime
    calling_policies: tuple[CallingPolicySettings, ...] | None = None
    ip_phone_policies: tuple[IpPhonePolicySettings, ...] | None = None
    trusted_ips: tuple[TrustedIpRange, ...] | None = None
    conditional_access: tuple[ConditionalAccessPolicy, ...] | None = None
    resource_count: int = 0
    _by_key: dict[str, IpPhonePolicySettings] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for p in self.ip_phone_policies or ():
            self._by_key[policy_key(p.name)] = p

    def ip_phone_policy(self, name: str) -> IpPhonePolicySettings | None:
        return self._by_key.get(policy_key(name))

    def age(self, now: datetime) -> timedelta:
        return max(now - self.taken_at, timedelta(0))


def describe_age(age: timedelta) -> str:
    """"12 minutes", "5 hours", "2 days": enough to tell fresh from stale at a glance."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 90:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def refresh_due(
    taken_at: datetime | None,
    now: datetime,
    max_age: timedelta,
    *,
    forced: bool = False,
    policy_assigned_at: datetime | None = None,
) -> bool:
    """A new snapshot is worth a job when there is none, it is older than `max_age`, the admin asked,
    or fix-policies assigned a policy after it was taken; otherwise the cached one serves."""
    if forced or taken_at is None:
        return True
    if policy_assigned_at is not None and policy_assigned_at > taken_at:
        return True
    return now - taken_at >= max_age


def parse_networks(texts: Iterable[str]) -> tuple[list[IpNetwork], list[str]]:
    """Addresses or CIDR ranges from a sites file cell; the second list names what is not one."""
    good: list[IpNetwork] = []
    bad: list[str] = []
    for text in texts:
        try:
            good.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            bad.append(text)
    return good, bad
