"""Extra prerequisites of common-area (shared) accounts, which sign in through bulk sign-in.

"Configure SIP Gateway" lists them (docs/microsoft.md, "Bulk sign-in"). The service checks what
the directory shows (licence, IP phone policy); the rest lives in Entra ID, Teams admin center or
Teams PowerShell settings the app cannot read, so it is handed to the admin as a "verify yourself"
list naming the exact setting.
"""

from __future__ import annotations

from teams_sip.domain.eligibility.facts import UserFacts, assumed_default
from teams_sip.domain.eligibility.outcomes import CheckResult, Outcome, VerifyYourself
from teams_sip.domain.eligibility.plans import SHARED_DEVICES_SKU
from teams_sip.domain.eligibility.policies import Judgement, PolicyCatalogue, policy_key

IP_PHONE_POLICY = "TeamsIPPhonePolicy"

VERIFY_YOURSELF: tuple[VerifyYourself, ...] = (
    VerifyYourself(
        "MFA is not required for the account",
        "Entra admin center > Protection > Conditional Access: exclude the account from every policy that "
        "requires MFA (and per-user MFA is off).",
    ),
    VerifyYourself(
        "The site's public IP addresses are trusted, set at least 24 hours before sign-in",
        "Teams admin center > Locations > Network topology > Trusted IPs: the site's public (egress) IPs "
        "(New-CsTenantTrustedIPAddress in PowerShell).",
    ),
    VerifyYourself(
        "Bulk sign-in is enabled for the tenant",
        "Teams PowerShell: Get-CsTeamsSipDevicesConfiguration shows BulkSignIn Enabled "
        "(Set-CsTeamsSipDevicesConfiguration -BulkSignIn Enabled).",
    ),
    VerifyYourself(
        "The provisioning URL of the base station carries the tenant id",
        "Base station ITSP provisioning ConfigUrl ends with /tenantid/<tenant-guid>.",
    ),
    VerifyYourself(
        "Bulk sign-in resets the account password to an unknown value",
        "Make sure nobody signs in to this account interactively anywhere else.",
    ),
)


def common_area_checks(facts: UserFacts, catalogue: PolicyCatalogue) -> list[CheckResult]:
    results: list[CheckResult] = []
    if facts.licences is None:
        results.append(
            CheckResult(
                "common_area.shared_devices_licence",
                Outcome.UNKNOWN,
                f"licences could not be read: {facts.licences_error or 'not available'}",
            )
        )
    elif SHARED_DEVICES_SKU in facts.licences.sku_ids:
        results.append(CheckResult("common_area.shared_devices_licence", Outcome.PASS, "Teams Shared Devices licensed"))
    else:
        results.append(
            CheckResult(
                "common_area.shared_devices_licence",
                Outcome.FAIL,
                "common-area account without a Teams Shared Devices licence",
                "Assign Microsoft Teams Shared Devices (MCOCAP) to the account.",
            )
        )
    remedy = (
        f"Grant-CsTeamsIPPhonePolicy -Identity {facts.upn} -PolicyName <policy with SignInMode "
        "CommonAreaPhoneSignIn>, and list that policy in the common-area IP phone policy catalogue."
    )
    if facts.teams is None:
        results.append(
            CheckResult(
                "common_area.ip_phone_policy",
                Outcome.UNKNOWN,
                f"the IP phone policy could not be read: {facts.teams_error or 'not available'}",
            )
        )
        return results
    effective, assumed = facts.teams.effective_or_default(IP_PHONE_POLICY)
    judgement = catalogue.common_area_ip_phone(effective.name)
    if judgement.outcome is Outcome.UNKNOWN and policy_key(effective.name) == "global":
        # The org-wide default signs users in as users (SignInMode UserSignIn) unless changed.
        judgement = Judgement(Outcome.FAIL, "the IP phone policy is the org-wide default (Global), not CommonAreaPhone")
    assumption = assumed_default(IP_PHONE_POLICY) if assumed else ""
    reason = f"{judgement.reason} ({assumption})" if assumed else judgement.reason
    fix = "" if judgement.outcome is Outcome.PASS else remedy
    results.append(CheckResult("common_area.ip_phone_policy", judgement.outcome, reason, fix, assumption=assumption))
    return results
