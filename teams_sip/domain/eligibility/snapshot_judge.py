"""Judging a user's policies, a site's egress IPs and Conditional Access from a configuration snapshot.

A snapshot is a fact about the tenant at one moment, so every judgement names the policy it read
and what it found. Anything the snapshot does not show is "cannot be judged", never a pass: a
policy created after the snapshot was taken may allow nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from teams_sip.domain.eligibility.outcomes import Outcome
from teams_sip.domain.eligibility.policies import CallingPolicySettings, Judgement, policy_key
from teams_sip.domain.eligibility.tenant_config import (
    ConditionalAccessPolicy,
    TenantConfiguration,
    parse_networks,
)

COMMON_AREA_SIGN_IN = "commonareaphonesignin"


def _calling(config: TenantConfiguration, name: str) -> CallingPolicySettings | None:
    key = policy_key(name)
    return next((p for p in config.calling_policies or () if policy_key(p.name) == key), None)


def _not_shown(kind: str, name: str, covered: bool) -> Judgement:
    what = f"does not list '{name}'" if covered else f"does not cover {kind}s"
    return Judgement(Outcome.UNKNOWN, f"{kind} '{name}' cannot be judged: the configuration snapshot {what}")


def sip_devices(config: TenantConfiguration, name: str) -> Judgement:
    found = _calling(config, name)
    if found is None or found.allow_sip_devices is None:
        return _not_shown("calling policy", name, config.calling_policies is not None)
    if found.allow_sip_devices:
        return Judgement(Outcome.PASS, f"calling policy '{name}' allows SIP devices (snapshot)")
    return Judgement(Outcome.FAIL, f"calling policy '{name}' has AllowSIPDevicesCalling off (snapshot)")


def call_redirect(config: TenantConfiguration, name: str) -> Judgement:
    found = _calling(config, name)
    if found is None or found.allow_call_redirect is None:
        return _not_shown("calling policy", name, config.calling_policies is not None)
    value = found.allow_call_redirect
    if value.lower() == "enabled":
        return Judgement(Outcome.PASS, f"calling policy '{name}' allows call redirect (snapshot)")
    if value.lower() == "useroverride":
        return Judgement(Outcome.UNKNOWN, f"calling policy '{name}' leaves call redirect to the user (UserOverride)")
    return Judgement(Outcome.FAIL, f"calling policy '{name}' has AllowCallRedirect {value} (snapshot)")


def common_area_ip_phone(config: TenantConfiguration, name: str) -> Judgement:
    """The effective IP phone policy must sign the handset in as a common-area phone."""
    found = config.ip_phone_policy(name)
    if found is None or found.sign_in_mode is None:
        return _not_shown("IP phone policy", name, config.ip_phone_policies is not None)
    if found.sign_in_mode.lower() == COMMON_AREA_SIGN_IN:
        return Judgement(Outcome.PASS, f"IP phone policy '{name}' signs in as a common-area phone (snapshot)")
    return Judgement(
        Outcome.FAIL, f"IP phone policy '{name}' has SignInMode {found.sign_in_mode}, not CommonAreaPhoneSignIn"
    )


def site_egress_trusted(config: TenantConfiguration, site: str, egress: Sequence[str]) -> Judgement:
    """Every public egress address or range of the site must lie inside one tenant trusted IP range.
    A site that lists none, or a snapshot without trusted IPs, leaves the admin to verify it."""
    if not egress:
        return Judgement(Outcome.UNKNOWN, f"site '{site}' lists no public egress IPs: verify trusted IPs yourself")
    if config.trusted_ips is None:
        return Judgement(Outcome.UNKNOWN, "the configuration snapshot does not cover the tenant's trusted IPs")
    networks, bad = parse_networks(egress)
    if bad:
        return Judgement(Outcome.UNKNOWN, f"site '{site}' egress IPs are not addresses: {', '.join(bad)}")
    trusted = [n for n in (r.network() for r in config.trusted_ips) if n is not None]
    outside = [
        str(n) for n in networks if not any(n.version == t.version and n.subnet_of(t) for t in trusted)  # type: ignore[arg-type]
    ]
    if outside:
        return Judgement(
            Outcome.FAIL, f"site '{site}' egress {', '.join(outside)} is not inside a tenant trusted IP range"
        )
    return Judgement(Outcome.PASS, f"site '{site}' egress IPs are all tenant trusted IPs (snapshot)")


def _names(values: Sequence[str]) -> set[str]:
    return {v.strip().casefold() for v in values}


def _applies(policy: ConditionalAccessPolicy, account: set[str], groups: frozenset[str] | None) -> bool | None:
    """True when the policy reaches the account, False when not, None when only group membership
    (which could not be read) would decide."""
    if account & _names(policy.exclude_users):
        return False
    member_of = None if groups is None else {g.casefold() for g in groups}
    if policy.exclude_groups and member_of is not None and member_of & _names(policy.exclude_groups):
        return False
    if "all" in _names(policy.include_users) or account & _names(policy.include_users):
        return None if policy.exclude_groups and member_of is None else True
    if policy.include_groups:
        if member_of is None:
            return None
        return bool(member_of & _names(policy.include_groups))
    return False


def mfa_required(
    config: TenantConfiguration, identifiers: Sequence[str], groups: frozenset[str] | None = None
) -> Judgement | None:
    """A FAIL naming the first enabled Conditional Access policy that asks this account for MFA;
    None (keep "verify yourself") when the snapshot shows none or cannot tell."""
    account = _names([i for i in identifiers if i])
    for policy in config.conditional_access or ():
        if policy.state.lower() != "enabled" or not policy.requires_mfa:
            continue
        if _applies(policy, account, groups):
            return Judgement(
                Outcome.FAIL,
                f"Conditional Access policy '{policy.name}' requires MFA for this account; bulk sign-in cannot "
                "answer MFA",
            )
    return None
