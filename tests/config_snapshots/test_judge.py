"""Judging from a configuration snapshot: pure functions, every outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from teams_sip.domain.eligibility import CallingPolicySettings, Outcome, PolicyCatalogue
from teams_sip.domain.eligibility.snapshot_judge import (
    call_redirect,
    common_area_ip_phone,
    mfa_required,
    sip_devices,
    site_egress_trusted,
)
from teams_sip.domain.eligibility.tenant_config import (
    ConditionalAccessPolicy,
    IpPhonePolicySettings,
    TenantConfiguration,
    TrustedIpRange,
    describe_age,
    refresh_due,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def config(**kw: object) -> TenantConfiguration:
    base: dict[str, object] = {
        "calling_policies": (
            CallingPolicySettings("Global", False, "Enabled"),
            CallingPolicySettings("Tag:SipDevices", True, "Enabled"),
            CallingPolicySettings("Tag:NoRedirect", True, "Disabled"),
            CallingPolicySettings("Tag:Override", True, "UserOverride"),
        ),
        "ip_phone_policies": (
            IpPhonePolicySettings("Global", "UserSignIn"),
            IpPhonePolicySettings("Tag:CommonAreaPhone", "CommonAreaPhoneSignIn"),
        ),
        "trusted_ips": (TrustedIpRange("203.0.113.0", 24), TrustedIpRange("198.51.100.7")),
        "conditional_access": (),
    }
    base.update(kw)
    return TenantConfiguration(NOW, **base)  # type: ignore[arg-type]


def test_calling_policy_by_identity_in_every_spelling() -> None:
    c = config()
    assert sip_devices(c, "Tag:SipDevices").outcome is Outcome.PASS
    assert sip_devices(c, "SipDevices").outcome is Outcome.PASS
    assert call_redirect(c, "sipdevices").outcome is Outcome.PASS
    assert sip_devices(c, "Global").outcome is Outcome.FAIL
    assert call_redirect(c, "NoRedirect").outcome is Outcome.FAIL
    assert call_redirect(c, "Override").outcome is Outcome.UNKNOWN


def test_a_policy_missing_from_the_snapshot_cannot_be_judged_even_when_catalogued() -> None:
    catalogue = PolicyCatalogue.build(None, None, ["Brandnew"], snapshot=config())
    judgement = catalogue.sip_devices("Tag:Brandnew")
    assert judgement.outcome is Outcome.UNKNOWN
    assert "does not list 'Tag:Brandnew'" in judgement.reason


def test_a_snapshot_without_calling_policies_leaves_the_next_source_to_judge() -> None:
    catalogue = PolicyCatalogue.build(None, None, ["Brandnew"], snapshot=config(calling_policies=None))
    assert catalogue.sip_devices("Brandnew").outcome is Outcome.PASS


def test_common_area_ip_phone_policy_needs_common_area_sign_in() -> None:
    c = config()
    assert common_area_ip_phone(c, "CommonAreaPhone").outcome is Outcome.PASS
    assert common_area_ip_phone(c, "Global").outcome is Outcome.FAIL
    assert common_area_ip_phone(c, "Tag:Other").outcome is Outcome.UNKNOWN
    catalogue = PolicyCatalogue.build(None, None, [], ["Global"], snapshot=c)
    assert catalogue.common_area_ip_phone("Global").outcome is Outcome.FAIL  # the snapshot wins


def test_site_egress_inside_outside_and_not_listed() -> None:
    c = config()
    assert site_egress_trusted(c, "HQ", ["203.0.113.8", "203.0.113.128/25"]).outcome is Outcome.PASS
    assert site_egress_trusted(c, "HQ", ["198.51.100.7"]).outcome is Outcome.PASS
    failed = site_egress_trusted(c, "HQ", ["203.0.113.8", "192.0.2.1"])
    assert failed.outcome is Outcome.FAIL and "192.0.2.1" in failed.reason
    assert site_egress_trusted(c, "HQ", ["203.0.112.0/23"]).outcome is Outcome.FAIL  # wider than the range
    assert site_egress_trusted(c, "HQ", []).outcome is Outcome.UNKNOWN
    assert site_egress_trusted(c, "HQ", ["not-an-ip"]).outcome is Outcome.UNKNOWN
    assert site_egress_trusted(config(trusted_ips=None), "HQ", ["203.0.113.8"]).outcome is Outcome.UNKNOWN
    assert site_egress_trusted(c, "HQ", ["2001:db8::1"]).outcome is Outcome.FAIL


def _ca(**kw: object) -> ConditionalAccessPolicy:
    base: dict[str, object] = {"name": "Require MFA", "state": "enabled", "requires_mfa": True}
    base.update(kw)
    return ConditionalAccessPolicy(**base)  # type: ignore[arg-type]


def test_mfa_policy_that_reaches_the_account_is_named() -> None:
    ids = ["id-1", "lobby@contoso.com"]
    direct = config(conditional_access=(_ca(include_users=("LOBBY@contoso.com",)),))
    everyone = config(conditional_access=(_ca(name="All users MFA", include_users=("All",)),))
    judged = mfa_required(everyone, ids)
    assert judged is not None and judged.outcome is Outcome.FAIL and "All users MFA" in judged.reason
    assert mfa_required(direct, ids) is not None


def test_mfa_otherwise_stays_verify_yourself() -> None:
    ids = ["id-1", "lobby@contoso.com"]
    cases = [
        _ca(include_users=("All",), exclude_users=("id-1",)),
        _ca(include_users=("All",), state="enabledForReportingButNotEnforced"),
        _ca(include_users=("All",), requires_mfa=False),
        _ca(include_groups=("g-1",)),  # membership cannot be read
        _ca(include_users=("All",), exclude_groups=("g-2",)),  # could be excluded by a group
        _ca(include_users=("someone@contoso.com",)),
    ]
    for policy in cases:
        assert mfa_required(config(conditional_access=(policy,)), ids) is None, policy
    by_group = config(conditional_access=(_ca(include_groups=("g-1",)),))
    assert mfa_required(by_group, ids, frozenset({"g-1"})) is not None


def test_refresh_is_due_once_a_day_after_an_assignment_or_on_demand() -> None:
    day = timedelta(days=1)
    assert refresh_due(None, NOW, day)
    assert not refresh_due(NOW - timedelta(hours=23), NOW, day)
    assert refresh_due(NOW - day, NOW, day)
    assert refresh_due(NOW, NOW, day, forced=True)
    assert refresh_due(NOW - timedelta(hours=1), NOW, day, policy_assigned_at=NOW - timedelta(minutes=5))
    assert not refresh_due(NOW - timedelta(hours=1), NOW, day, policy_assigned_at=NOW - timedelta(hours=2))
    assert describe_age(timedelta(minutes=5)) == "5 minutes"
    assert describe_age(timedelta(hours=30)) == "30 hours"
