"""The checks every user passes before a handset is registered for them (docs/microsoft.md "Users and licences").

Each check answers pass, fail or unknown with a reason and a remedy a Teams admin can act on.
Checks that depend on the account are skipped when the account itself cannot be confirmed: a
missing account already blocks, and ten more "unknown" lines would only hide the one that matters.
"""

from __future__ import annotations

from datetime import datetime

from teams_sip.domain.eligibility.facts import Licences, Lookup, PlanStatus, TeamsConfig, UserFacts
from teams_sip.domain.eligibility.outcomes import CheckResult, Outcome
from teams_sip.domain.eligibility.pending import PendingPolicy
from teams_sip.domain.eligibility.plans import CALLING_PLAN_PLANS, TEAMS_PHONE_PLAN, TEAMS_PLAN
from teams_sip.domain.eligibility.policies import PolicyCatalogue, policy_key

P, F, U = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN
CALLING_POLICY = "TeamsCallingPolicy"
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
    if facts.licences is None:
        reason = f"licences could not be read: {facts.licences_error or 'not available'}"
        remedy = "Grant the app User.Read.All or run the check again."
        return [CheckResult("licence.teams", U, reason, remedy), CheckResult("licence.teams_phone", U, reason, remedy)]
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
            TEAMS_PHONE_PLAN,
            "licence.teams_phone",
            "Teams Phone",
            "Assign Teams Phone (MCOEV plan: E5, Teams Phone Standard or Teams Shared Devices).",
        ),
    ]


def voice_checks(facts: UserFacts) -> list[CheckResult]:
    """PSTN connectivity and a primary number: without them the handset cannot call out or be reached.

    Connectivity is a Calling Plan, or enterprise voice with an assigned number (Operator Connect or
    Direct Routing), as the issue defines it.
    """
    teams: TeamsConfig | None = facts.teams
    if teams is None:
        reason = f"the Teams voice configuration could not be read: {facts.teams_error or 'not available'}"
        remedy = "Grant the app TeamsUserConfiguration.Read.All or run the check again."
        return [CheckResult(c, U, reason, remedy) for c in ("voice.pstn", "voice.number")]
    results: list[CheckResult] = []
    upn = facts.upn
    number = teams.primary_number()
    calling_plan = facts.licences is not None and any(
        facts.licences.plan(p) is PlanStatus.ENABLED for p in CALLING_PLAN_PLANS
    )
    if calling_plan:
        results.append(CheckResult("voice.pstn", P, "Calling Plan licensed"))
    elif teams.enterprise_voice and number:
        results.append(CheckResult("voice.pstn", P, "Operator Connect or Direct Routing number assigned"))
    elif facts.licences is None:
        results.append(CheckResult("voice.pstn", U, "no Calling Plan could be confirmed: licences unreadable"))
    else:
        results.append(
            CheckResult(
                "voice.pstn",
                F,
                "no PSTN connectivity (no Calling Plan, no Operator Connect or Direct Routing number)",
                "Assign a Calling Plan licence, or an Operator Connect / Direct Routing number.",
            )
        )
    if number:
        results.append(CheckResult("voice.number", P, f"primary number {number}"))
    else:
        results.append(
            CheckResult(
                "voice.number",
                F,
                "no primary phone number assigned",
                f"Set-CsPhoneNumberAssignment -Identity {upn} -PhoneNumber <+number> -PhoneNumberType "
                "<CallingPlan|OperatorConnect|DirectRouting>",
            )
        )
    return results


def calling_policy_checks(
    facts: UserFacts, catalogue: PolicyCatalogue, pending: PendingPolicy | None, now: datetime
) -> list[CheckResult]:
    """AllowSIPDevicesCalling and AllowCallRedirect of the effective calling policy.

    A policy the service assigned recently (`pending`) and that Teams does not show yet turns a
    failing or unknown result into "waiting for policy" until 24 hours have passed.
    """
    if facts.teams is None:
        reason = f"the effective calling policy could not be read: {facts.teams_error or 'not available'}"
        return [CheckResult(c, U, reason) for c in ("policy.sip_devices", "policy.call_redirect")]
    effective = facts.teams.effective(CALLING_POLICY)
    if effective is None:
        reason = "Teams reported no effective calling policy"
        return [CheckResult(c, U, reason) for c in ("policy.sip_devices", "policy.call_redirect")]
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
            results.append(CheckResult(check, judgement.outcome, judgement.reason, fix))
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
