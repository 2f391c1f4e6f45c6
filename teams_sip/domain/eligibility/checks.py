"""The checks every user passes before a handset is registered for them (docs/microsoft.md "Users and licences").

Each check answers pass, fail or unknown with a reason and a remedy a Teams admin can act on.
Checks that depend on the account are skipped when the account itself cannot be confirmed: a
missing account already blocks, and ten more "unknown" lines would only hide the one that matters.
"""

from __future__ import annotations

from datetime import datetime

from teams_sip.domain.eligibility.facts import Licences, Lookup, PlanStatus, TeamsConfig, UserFacts, assumed_default
from teams_sip.domain.eligibility.outcomes import CheckResult, Outcome
from teams_sip.domain.eligibility.pending import PendingPolicy
from teams_sip.domain.eligibility.plans import CALLING_PLAN_PLANS, SKYPE_PLAN2_PLAN, TEAMS_PHONE_PLAN, TEAMS_PLAN
from teams_sip.domain.eligibility.policies import PolicyCatalogue, policy_key

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN
CALLING_POLICY = "TeamsCallingPolicy"
LICENCE_CHECKS = ("licence.teams", "licence.skype_plan2", "licence.teams_phone")
CALLING_PLAN_FEATURE = "CallingPlan"  # the same as teams_sip.unverified.CALLING_PLAN_FEATURE (a test checks)
ACCOUNT_TYPE_REMEDY = {
    "resourceaccount": "Resource accounts (auto attendants, call queues) cannot sign in to a SIP device; "
    "use a user or common-area account.",
    "guest": "Guests cannot sign in to a SIP device; use an account of this tenant.",
    "sfbonpremuser": "The user is homed in Skype for Business on-premises; move the user to Teams Only.",
    "ineligibleuser": "Teams does not consider this account eligible: give it a Teams licence and check it "
    "in the Teams admin center under Users.",
}


def account_checks(facts: UserFacts) -> list[CheckResult]:
    """Exists, enabled, and a real user of this tenant (member, Teams account type 'user')."""
    if facts.lookup is Lookup.NOT_FOUND:
        return [
            CheckResult(
                "account.exists",
                F,
                f"no account with UPN {facts.upn}",
                "Correct the UPN in the spreadsheet or create the account in Entra ID.",
            )
        ]
    if facts.lookup is not Lookup.FOUND:
        return [
            CheckResult(
                "account.exists",
                U,
                f"the account could not be read: {facts.lookup_detail or facts.lookup.value}",
                "Grant the app User.Read.All (admin consent) or run the check again.",
            )
        ]
    results = [CheckResult("account.exists", P, "account found")]
    if facts.account_enabled is False:
        results.append(
            CheckResult(
                "account.enabled",
                F,
                "the account is disabled (sign-in blocked)",
                "Enable sign-in for the account in the Microsoft 365 or Entra admin center.",
            )
        )
    elif facts.account_enabled is None:
        results.append(CheckResult("account.enabled", U, "Graph did not report whether sign-in is allowed"))
    else:
        results.append(CheckResult("account.enabled", P, "account enabled"))
    results.append(_account_type(facts))
    return results


def _account_type(facts: UserFacts) -> CheckResult:
    if (facts.user_type or "").lower() == "guest":
        return CheckResult("account.type", F, "the account is a guest", ACCOUNT_TYPE_REMEDY["guest"])
    if facts.teams is None:
        return CheckResult(
            "account.type",
            U,
            f"the Teams account type could not be read: {facts.teams_error or 'no Teams configuration'}",
            "Grant the app TeamsUserConfiguration.Read.All or run the check again.",
        )
    kind = facts.teams.account_type
    if kind.lower() == "user":
        return CheckResult("account.type", P, "a Teams user account")
    if kind.lower() in ACCOUNT_TYPE_REMEDY:
        return CheckResult("account.type", F, f"the Teams account type is {kind}", ACCOUNT_TYPE_REMEDY[kind.lower()])
    return CheckResult(
        "account.type",
        U,
        f"Teams reports the account type as '{kind}'",
        "Check the user under Users > Manage users in the Teams admin center.",
    )


def _plan_check(licences: Licences, plan_id: str, check: str, what: str, remedy: str) -> CheckResult:
    status = licences.plan(plan_id)
    if status is PlanStatus.ENABLED:
        return CheckResult(check, P, f"{what} licensed")
    if status is PlanStatus.PENDING:
        return CheckResult(check, U, f"the {what} service plan is still being provisioned", "Check again later.")
    if status is PlanStatus.DISABLED:
        return CheckResult(check, F, f"the {what} service plan is turned off in the user's licence", remedy)
    return CheckResult(check, F, f"no {what} licence", remedy)


def licence_checks(facts: UserFacts) -> list[CheckResult]:
    """Teams, Skype for Business Online (Plan 2) and Teams Phone: the plans the SIP Gateway plan
    article lists as required (PSTN connectivity is judged with the voice checks)."""
    if facts.licences is None:
        reason = f"licences could not be judged: {facts.licences_error or 'not available'}"
        remedy = ("Check the user's licences in the Microsoft 365 admin center (Users > Active users > Licenses "
                  "and apps), make sure the app has User.Read.All, and run the check again.")
        return [CheckResult(check, U, reason, remedy) for check in LICENCE_CHECKS]
    return [
        _plan_check(
            facts.licences,
            TEAMS_PLAN,
            "licence.teams",
            "Microsoft Teams",
            "Assign a licence that includes Microsoft Teams (TEAMS1), or turn the Teams plan on.",
        ),
        _plan_check(
            facts.licences,
            SKYPE_PLAN2_PLAN,
            "licence.skype_plan2",
            "Skype for Business Online (Plan 2)",
            "Assign a licence that includes Skype for Business Online (Plan 2) (MCOSTANDARD: Microsoft 365 "
            "E3/E5, Teams Shared Devices; it is not sold alone), or turn that plan on in the user's licence.",
        ),
        _plan_check(
            facts.licences,
            TEAMS_PHONE_PLAN,
            "licence.teams_phone",
            "Teams Phone",
            "Assign Teams Phone (MCOEV plan: E5, Teams Phone Standard or Teams Shared Devices).",
        ),
    ]


def voice_checks(facts: UserFacts) -> list[CheckResult]:
    """PSTN connectivity and a primary number: without them the handset cannot call out or be reached.

    Connectivity is a Calling Plan, or an Operator Connect / Direct Routing number with enterprise
    voice on. `isEnterpriseVoiceEnabled` alone never fails a user: Microsoft's own example of a
    Calling Plan user with a primary number shows it false.
    """
    teams: TeamsConfig | None = facts.teams
    if teams is None:
        reason = f"the Teams voice configuration could not be read: {facts.teams_error or 'not available'}"
        remedy = "Grant the app TeamsUserConfiguration.Read.All or run the check again."
        return [CheckResult(c, U, reason, remedy) for c in ("voice.pstn", "voice.number")]
    number = teams.primary_number()
    return [_pstn(facts, teams, number), _number(facts.upn, number)]


def _has_calling_plan(facts: UserFacts, teams: TeamsConfig) -> bool:
    licensed = facts.licences is not None and any(
        facts.licences.plan(p) is PlanStatus.ENABLED for p in CALLING_PLAN_PLANS
    )
    return licensed or teams.has_feature(CALLING_PLAN_FEATURE)


def _pstn(facts: UserFacts, teams: TeamsConfig, number: str | None) -> CheckResult:
    if _has_calling_plan(facts, teams):
        return CheckResult("voice.pstn", P, "Calling Plan licensed")
    if number and teams.enterprise_voice:
        return CheckResult("voice.pstn", P, "Operator Connect or Direct Routing number assigned")
    if facts.licences is None:
        return CheckResult("voice.pstn", U, "no Calling Plan could be confirmed: licences unreadable")
    if number:
        flag = "off (isEnterpriseVoiceEnabled false)" if teams.enterprise_voice is False else "not reported"
        return CheckResult(
            "voice.pstn",
            U,
            f"number {number} is assigned without a Calling Plan (Operator Connect or Direct Routing), "
            f"but Teams reports enterprise voice {flag}",
            f"Check the number's assignment in the Teams admin center (Voice > Phone numbers). If the user should "
            f"call through Operator Connect or Direct Routing: Set-CsPhoneNumberAssignment -Identity {facts.upn} "
            "-EnterpriseVoiceEnabled $true",
        )
    return CheckResult(
        "voice.pstn",
        F,
        "no PSTN connectivity (no Calling Plan, no Operator Connect or Direct Routing number)",
        "Assign a Calling Plan licence, or an Operator Connect / Direct Routing number.",
    )


def _number(upn: str, number: str | None) -> CheckResult:
    if number:
        return CheckResult("voice.number", P, f"primary number {number}")
    return CheckResult(
        "voice.number",
        F,
        "no primary phone number assigned",
        f"Set-CsPhoneNumberAssignment -Identity {upn} -PhoneNumber <+number> -PhoneNumberType "
        "<CallingPlan|OperatorConnect|DirectRouting>",
    )


def calling_policy_checks(
    facts: UserFacts, catalogue: PolicyCatalogue, pending: PendingPolicy | None, now: datetime
) -> list[CheckResult]:
    """AllowSIPDevicesCalling and AllowCallRedirect of the effective calling policy.

    A policy the service assigned recently (`pending`) and that Teams does not show yet turns a
    failing or unknown result into "waiting for policy" until 24 hours have passed. When Teams lists
    no calling policy at all, the org-wide default (Global) is judged and the reason says so.
    """
    if facts.teams is None:
        reason = f"the effective calling policy could not be read: {facts.teams_error or 'not available'}"
        return [CheckResult(c, U, reason) for c in ("policy.sip_devices", "policy.call_redirect")]
    effective, assumed = facts.teams.effective_or_default(CALLING_POLICY)
    assumption = assumed_default(CALLING_POLICY) if assumed else ""
    note = f" ({assumption})" if assumed else ""
    remedy = (
        "Assign a calling policy with AllowSIPDevicesCalling True and AllowCallRedirect Enabled: "
        f"teams-sip fix-policies FILE --policy NAME, or Grant-CsTeamsCallingPolicy -Identity {facts.upn} "
        "-PolicyName NAME. Or add the policy to the compliant-policy catalogue if it is compliant."
    )
    judged = [
        ("policy.sip_devices", catalogue.sip_devices(effective.name)),
        ("policy.call_redirect", catalogue.call_redirect(effective.name)),
    ]
    results = []
    for check, judgement in judged:
        if judgement.outcome is not P and pending is not None and policy_key(pending.policy_name) != policy_key(
            effective.name
        ):
            results.append(_waiting(check, pending, effective.name, now))
        else:
            fix = "" if judgement.outcome is P else remedy
            results.append(CheckResult(check, judgement.outcome, judgement.reason + note, fix, assumption=assumption))
    return results


def _waiting(check: str, pending: PendingPolicy, current: str, now: datetime) -> CheckResult:
    assigned = pending.assigned_at.strftime("%Y-%m-%d %H:%M UTC")
    if now < pending.effective_by:
        return CheckResult(
            check,
            U,
            f"waiting for policy '{pending.policy_name}' (assigned {assigned}; Teams still shows '{current}')",
            "Nothing to do: policy changes take up to 24 hours. Run the check again later.",
            waiting_until=pending.effective_by,
        )
    return CheckResult(
        check,
        U,
        f"policy '{pending.policy_name}' assigned {assigned} is still not effective after 24 hours "
        f"(Teams shows '{current}')",
        "Check the user's calling policy in the Teams admin center; a group or direct assignment may override it.",
    )
