"""Every eligibility rule on hand-built facts: each check's pass, fail and unknown paths."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from teams_sip.domain.eligibility import (
    AccountKind,
    CallingPolicySettings,
    Licences,
    Lookup,
    Outcome,
    PendingPolicies,
    PendingPolicy,
    PhoneNumber,
    PlanStatus,
    PolicyAssignment,
    PolicyCatalogue,
    TeamsConfig,
    UserFacts,
    UserVerdict,
    Verdict,
    evaluate,
)
from teams_sip.domain.eligibility.plans import SERVICE_PLANS, SHARED_DEVICES_SKU

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
E5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
SETTINGS = PolicyCatalogue.build(
    settings=[
        CallingPolicySettings("Global", False, "Enabled"),
        CallingPolicySettings("SIPDevices", True, "Enabled"),
        CallingPolicySettings("SIPNoRedirect", True, "Disabled"),
        CallingPolicySettings("SIPUserRedirect", True, "UserOverride"),
    ],
    common_area_ip_phone_policies=["CommonAreaPhone"],
)


def plans(*names: str, status: PlanStatus = PlanStatus.ENABLED) -> dict[str, PlanStatus]:
    return {SERVICE_PLANS[n]: status for n in names}


def good(**changes: object) -> UserFacts:
    facts = UserFacts(
        upn="anna@contoso.example",
        lookup=Lookup.FOUND,
        user_id="u-1",
        account_enabled=True,
        user_type="Member",
        licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV", "MCOPSTN1")),
        teams=TeamsConfig(
            account_type="user",
            enterprise_voice=True,
            phone_numbers=(PhoneNumber("+4930100", "primary"),),
            policies=(PolicyAssignment("TeamsCallingPolicy", "Tag:SIPDevices", "p-1", "direct"),),
        ),
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def teams(**changes: object) -> TeamsConfig:
    base = good().teams
    assert base is not None
    return replace(base, **changes)  # type: ignore[arg-type]


def run(facts: UserFacts, kind: AccountKind = AccountKind.PERSONAL, catalogue: PolicyCatalogue = SETTINGS,
        pending: PendingPolicies | None = None, now: datetime = NOW):
    return evaluate(facts, kind, catalogue, now, pending)


def outcome(verdict: UserVerdict, check: str) -> Outcome:
    (found,) = [c for c in verdict.checks if c.check == check]
    return found.outcome


def test_fully_compliant_user_is_eligible_with_every_check_passing() -> None:
    v = run(good())
    assert v.verdict is Verdict.ELIGIBLE
    assert {c.outcome for c in v.checks} == {Outcome.PASS}
    assert {c.check for c in v.checks} == {
        "account.exists", "account.enabled", "account.type", "licence.teams", "licence.skype_plan2",
        "licence.teams_phone", "voice.pstn", "voice.number", "policy.sip_devices", "policy.call_redirect",
    }
    assert v.verify_yourself == ()


@pytest.mark.parametrize(
    ("facts", "check", "expected", "words"),
    [
        (good(lookup=Lookup.NOT_FOUND), "account.exists", Outcome.FAIL, "no account"),
        (good(lookup=Lookup.FORBIDDEN, lookup_detail="403 Authorization_RequestDenied"), "account.exists",
         Outcome.UNKNOWN, "403"),
        (good(account_enabled=False), "account.enabled", Outcome.FAIL, "disabled"),
        (good(user_type="Guest"), "account.type", Outcome.FAIL, "guest"),
        (good(teams=teams(account_type="resourceAccount")), "account.type", Outcome.FAIL, "resourceAccount"),
        (good(teams=teams(account_type="sfbOnPremUser")), "account.type", Outcome.FAIL, "sfbOnPremUser"),
        (good(teams=teams(account_type="unknown")), "account.type", Outcome.UNKNOWN, "unknown"),
        (good(licences=Licences(frozenset(), {})), "licence.teams", Outcome.FAIL, "no Microsoft Teams licence"),
        (good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOPSTN1"))), "licence.teams_phone",
         Outcome.FAIL, "no Teams Phone"),
        (good(licences=Licences(frozenset({E5}), {**plans("TEAMS1", "MCOSTANDARD", "MCOPSTN1"), **plans(
            "MCOEV", status=PlanStatus.DISABLED)})), "licence.teams_phone", Outcome.FAIL, "turned off"),
        (good(licences=Licences(frozenset({E5}), {**plans("TEAMS1", "MCOSTANDARD", "MCOPSTN1"), **plans(
            "MCOEV", status=PlanStatus.PENDING)})), "licence.teams_phone", Outcome.UNKNOWN, "provisioned"),
        (good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOEV", "MCOPSTN1"))), "licence.skype_plan2",
         Outcome.FAIL, "no Skype for Business Online (Plan 2) licence"),
        (good(licences=Licences(frozenset({E5}), {**plans("TEAMS1", "MCOEV", "MCOPSTN1"), **plans(
            "MCOSTANDARD", status=PlanStatus.DISABLED)})), "licence.skype_plan2", Outcome.FAIL, "turned off"),
        (good(licences=None, licences_error="403"), "licence.teams_phone", Outcome.UNKNOWN, "could not be judged"),
        (good(licences=None, licences_error="no assignedPlans"), "licence.skype_plan2", Outcome.UNKNOWN,
         "no assignedPlans"),
        (good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV")),
              teams=teams(enterprise_voice=False)), "voice.pstn", Outcome.UNKNOWN, "enterprise voice off"),
        (good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV")),
              teams=teams(enterprise_voice=False, phone_numbers=())), "voice.pstn", Outcome.FAIL, "no PSTN"),
        (good(teams=teams(phone_numbers=())), "voice.number", Outcome.FAIL, "no primary phone number"),
        (good(teams=teams(phone_numbers=(PhoneNumber("+4930", "alternate"),))), "voice.number", Outcome.FAIL,
         "no primary"),
        (good(teams=None, teams_error="timed out"), "voice.number", Outcome.UNKNOWN, "timed out"),
        (good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "Global"),))), "policy.sip_devices",
         Outcome.FAIL, "AllowSIPDevicesCalling off"),
        (good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "SIPNoRedirect"),))),
         "policy.call_redirect", Outcome.FAIL, "AllowCallRedirect Disabled"),
        (good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "SIPUserRedirect"),))),
         "policy.call_redirect", Outcome.UNKNOWN, "UserOverride"),
        (good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "Tag:Unheard"),))),
         "policy.sip_devices", Outcome.UNKNOWN, "did not list it"),
        (good(teams=teams(policies=())), "policy.sip_devices", Outcome.FAIL, "(assumed: Teams listed no"),
    ],
)
def test_each_failure_cause_gives_its_own_outcome_reason_and_verdict(facts, check, expected, words) -> None:
    v = run(facts)
    assert outcome(v, check) is expected
    (result,) = [c for c in v.checks if c.check == check]
    assert words.lower() in result.reason.lower()
    if expected is not Outcome.PASS:
        assert result.remedy or expected is Outcome.UNKNOWN
    assert v.verdict is (Verdict.BLOCKED if expected is Outcome.FAIL else Verdict.NEEDS_ATTENTION)
    assert v.main_reason == v.problems[0].reason


def test_missing_account_blocks_without_piling_up_dependent_unknowns() -> None:
    v = run(good(lookup=Lookup.NOT_FOUND))
    assert [c.check for c in v.checks] == ["account.exists"]
    assert "Correct the UPN" in v.checks[0].remedy


def test_operator_connect_or_direct_routing_counts_as_pstn_without_calling_plan() -> None:
    v = run(good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV"))))
    assert outcome(v, "voice.pstn") is Outcome.PASS
    assert v.verdict is Verdict.ELIGIBLE


def test_communications_credits_alone_is_not_a_calling_plan() -> None:
    v = run(good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV", "MCOPSTNC")),
                 teams=teams(enterprise_voice=False, phone_numbers=())))
    assert outcome(v, "voice.pstn") is Outcome.FAIL


def test_a_calling_plan_user_with_the_voice_flag_off_is_eligible() -> None:
    """Microsoft's own example user: Calling Plan, primary number, isEnterpriseVoiceEnabled false."""
    v = run(good(teams=teams(enterprise_voice=False)))
    assert v.verdict is Verdict.ELIGIBLE


def test_a_calling_plan_seen_only_in_feature_types_counts() -> None:
    v = run(good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV")),
                 teams=teams(enterprise_voice=False, feature_types=("Teams", "CallingPlan"))))
    assert outcome(v, "voice.pstn") is Outcome.PASS


def test_a_missing_calling_policy_is_judged_as_global_and_said_to_be_assumed() -> None:
    allowing = PolicyCatalogue.build(settings=[CallingPolicySettings("Global", True, "Enabled")])
    v = run(good(teams=teams(policies=())), catalogue=allowing)
    assert v.verdict is Verdict.ELIGIBLE
    reasons = [c.reason for c in v.checks if c.check.startswith("policy.")]
    assert len(reasons) == 2 and all("'Global'" in r and "assumed" in r for r in reasons)


class TestPolicyCatalogue:
    def test_without_settings_an_unlisted_policy_is_unknown_never_pass(self) -> None:
        v = run(good(), catalogue=PolicyCatalogue.build())
        assert outcome(v, "policy.sip_devices") is Outcome.UNKNOWN
        assert v.verdict is Verdict.NEEDS_ATTENTION
        assert "not in the compliant-policy catalogue" in v.main_reason

    def test_without_settings_a_catalogued_name_passes_in_any_spelling(self) -> None:
        catalogue = PolicyCatalogue.build(compliant_calling_policies=["tag:sipdevices"])
        v = run(good(), catalogue=catalogue)
        assert outcome(v, "policy.sip_devices") is Outcome.PASS
        assert outcome(v, "policy.call_redirect") is Outcome.PASS

    def test_real_settings_beat_the_catalogue(self) -> None:
        catalogue = PolicyCatalogue.build(
            settings=[CallingPolicySettings("Global", False, "Enabled")], compliant_calling_policies=["Global"]
        )
        v = run(good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "Global"),))), catalogue=catalogue)
        assert outcome(v, "policy.sip_devices") is Outcome.FAIL

    def test_settings_error_is_named_in_the_reason(self) -> None:
        catalogue = PolicyCatalogue.build(settings_error="403 from the Teams admin API")
        v = run(good(), catalogue=catalogue)
        assert "403 from the Teams admin API" in v.main_reason


class TestCommonArea:
    def cap(self, **changes: object) -> UserFacts:
        facts = good(
            upn="cap.ward1@contoso.example",
            licences=Licences(frozenset({SHARED_DEVICES_SKU}), plans("TEAMS1", "MCOSTANDARD", "MCOEV", "MCOPSTN1")),
            teams=teams(policies=(
                PolicyAssignment("TeamsCallingPolicy", "SIPDevices"),
                PolicyAssignment("TeamsIPPhonePolicy", "Tag:CommonAreaPhone"),
            )),
        )
        return replace(facts, **changes)  # type: ignore[arg-type]

    def test_compliant_common_area_account_is_eligible_and_gets_the_verify_list(self) -> None:
        v = run(self.cap(), AccountKind.COMMON_AREA)
        assert v.verdict is Verdict.ELIGIBLE
        assert outcome(v, "common_area.shared_devices_licence") is Outcome.PASS
        assert outcome(v, "common_area.ip_phone_policy") is Outcome.PASS
        items = " ".join(f"{x.item} {x.where}" for x in v.verify_yourself)
        for needle in ("MFA", "Network topology > Trusted IPs", "BulkSignIn", "/tenantid/", "password"):
            assert needle in items
        assert "named location" not in items.lower()  # trusted IPs live in Teams, not in Entra

    def test_without_shared_devices_licence_is_blocked(self) -> None:
        v = run(good(teams=self.cap().teams), AccountKind.COMMON_AREA)
        assert outcome(v, "common_area.shared_devices_licence") is Outcome.FAIL
        assert v.verdict is Verdict.BLOCKED

    def test_global_ip_phone_policy_fails_and_other_names_are_unknown(self) -> None:
        global_only = self.cap(teams=teams(policies=(
            PolicyAssignment("TeamsCallingPolicy", "SIPDevices"), PolicyAssignment("TeamsIPPhonePolicy", "Global"))))
        assert outcome(run(global_only, AccountKind.COMMON_AREA), "common_area.ip_phone_policy") is Outcome.FAIL
        other = self.cap(teams=teams(policies=(
            PolicyAssignment("TeamsCallingPolicy", "SIPDevices"), PolicyAssignment("TeamsIPPhonePolicy", "Lobby"))))
        assert outcome(run(other, AccountKind.COMMON_AREA), "common_area.ip_phone_policy") is Outcome.UNKNOWN

    def test_an_unlisted_ip_phone_policy_is_judged_as_global_and_said_to_be_assumed(self) -> None:
        unlisted = self.cap(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "SIPDevices"),)))
        v = run(unlisted, AccountKind.COMMON_AREA)
        (ip,) = [c for c in v.checks if c.check == "common_area.ip_phone_policy"]
        assert ip.outcome is Outcome.FAIL and "(Global)" in ip.reason and "assumed" in ip.reason and ip.remedy

    def test_personal_accounts_skip_common_area_checks(self) -> None:
        v = run(good())
        assert not [c for c in v.checks if c.check.startswith("common_area")]


class TestWaitingForPolicy:
    def global_user(self) -> UserFacts:
        return good(teams=teams(policies=(PolicyAssignment("TeamsCallingPolicy", "Global"),)))

    def pending(self, at: datetime) -> PendingPolicies:
        return PendingPolicies([PendingPolicy("anna@contoso.example", "u-1", "TeamsCallingPolicy", "SIPDevices",
                                              "p-1", at)])

    def test_recent_assignment_means_waiting_not_blocked(self) -> None:
        v = run(self.global_user(), pending=self.pending(NOW - timedelta(hours=2)))
        assert v.verdict is Verdict.WAITING_FOR_POLICY
        assert all(c.waiting_until == NOW + timedelta(hours=22) for c in v.problems)
        assert "waiting for policy 'SIPDevices'" in v.main_reason

    def test_assignment_older_than_24_hours_needs_attention(self) -> None:
        v = run(self.global_user(), pending=self.pending(NOW - timedelta(hours=25)))
        assert v.verdict is Verdict.NEEDS_ATTENTION
        assert "still not effective after 24 hours" in v.main_reason

    def test_once_effective_the_pending_record_no_longer_matters(self) -> None:
        v = run(good(), pending=self.pending(NOW - timedelta(hours=2)))
        assert v.verdict is Verdict.ELIGIBLE

    def test_waiting_does_not_hide_a_real_failure(self) -> None:
        facts = replace(self.global_user(), account_enabled=False)
        v = run(facts, pending=self.pending(NOW - timedelta(hours=2)))
        assert v.verdict is Verdict.BLOCKED

    def test_pending_record_round_trips_and_keeps_the_latest(self) -> None:
        old = PendingPolicy("a@x", "U-1", "TeamsCallingPolicy", "A", "p-a", NOW - timedelta(hours=3))
        new = PendingPolicy("a@x", "u-1", "TeamsCallingPolicy", "B", "p-b", NOW)
        ledger = PendingPolicies([new, old])
        assert ledger.get("u-1", "teamscallingpolicy") == new
        assert PendingPolicy.from_json(new.to_json()) == new
        with pytest.raises(ValueError):
            PendingPolicy.from_json({**new.to_json(), "assignedAt": "2025-03-03T08:00:00"})


def test_the_domain_holds_the_assumptions_unverified_records() -> None:
    from teams_sip import unverified
    from teams_sip.domain.eligibility import checks, facts

    assert facts.DEFAULT_POLICY == unverified.UNLISTED_POLICY
    assert checks.CALLING_PLAN_FEATURE == unverified.CALLING_PLAN_FEATURE
    no_calling_plan = good(licences=Licences(frozenset({E5}), plans("TEAMS1", "MCOSTANDARD", "MCOEV")),
                           teams=teams(enterprise_voice=False))
    assert (run(no_calling_plan).verdict is Verdict.BLOCKED) is unverified.VOICE_FLAG_ALONE_BLOCKS
