"""The pre-flight against a tenant that answers as Microsoft's pages show (issue 17, items 3 and 4):
evolvable enum members only on request, the docs' Calling Plan user with the voice flag off, licences
from assignedPlans only, and both readings where the pages are silent (scenario switches)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.directory import NO_PLANS, PLANS_NOT_LISTED, GraphDirectory, licences_from_user
from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings
from teams_sip.domain.eligibility import AccountKind, CheckResult, Outcome, PlanStatus, UserVerdict, Verdict
from teams_sip.service.eligibility import RosterUser, load_catalogue, run_preflight
from teams_sip.simulator import Scenario, SimulatedTenant
from tests.eligibility.conftest import sim_settings

DOMAIN = "contoso.example"
PREFER = "include-unknown-enum-members"
LOOKUP = "GET /v1.0/admin/teams/userConfigurations/{id}"
LISTING = "GET /v1.0/admin/teams/userConfigurations"
CALLING_PLAN = {"licenses": ["SPE_E5", "MCOPSTN1"], "phoneNumber": "+4930100001", "callingPolicy": "SIPDevices"}
USERS: dict[str, dict[str, Any]] = {
    "calling.plan": CALLING_PLAN,  # the docs' example user: enterpriseVoice left false
    "operator.connect": {"licenses": ["SPE_E3", "MCOEV"], "phoneNumber": "+4930100002", "enterpriseVoice": True,
                         "callingPolicy": "SIPDevices"},
    "ineligible": CALLING_PLAN | {"accountType": "ineligibleUser", "phoneNumber": "+4930100003"},
    "no.plans": CALLING_PLAN | {"assignedPlansShown": False, "phoneNumber": "+4930100004"},
    "no.skype": CALLING_PLAN | {"disabledPlans": ["MCOSTANDARD"], "phoneNumber": "+4930100005"},
    "on.global": CALLING_PLAN | {"callingPolicy": None, "phoneNumber": "+4930100006"},
}
FILLERS = {f"filler{n}": CALLING_PLAN | {"phoneNumber": f"+49301002{n:02d}"} for n in range(14)}
"""Enough users that one listing page beats 20 lookups, so the listing path is taken when asked for."""


def scenario(*, global_allows: bool = False, **switches: bool) -> Scenario:
    return Scenario.from_dict({
        "tenant": {"domain": DOMAIN},
        "callingPolicies": [
            {"name": "Global", "allowSipDevicesCalling": global_allows, "allowCallRedirect": "Enabled"},
            {"name": "SIPDevices", "allowSipDevicesCalling": True, "allowCallRedirect": "Enabled"},
        ],
        "users": [{"upn": f"{name}@{DOMAIN}", **fields} for name, fields in (USERS | FILLERS).items()],
        **switches,
    })


@contextmanager
def tenant(s: Scenario) -> Iterator[tuple[SimulatedTenant, GraphSession, TeamsAdminPolicySettings]]:
    with SimulatedTenant.start(s) as sim:
        settings = sim_settings(sim)
        tokens = build_token_provider(settings, sim.clock)
        session, policies = GraphSession(settings, tokens), TeamsAdminPolicySettings(settings, tokens)
        try:
            yield sim, session, policies
        finally:
            session.close()
            policies.close()


def verdicts(s: Scenario, *, listed: bool = False) -> tuple[dict[str, UserVerdict], SimulatedTenant]:
    """Every scenario user's verdict, read by per-user lookups or (`listed`) by the tenant listing."""
    roster = [RosterUser(u.upn, AccountKind.PERSONAL) for u in s.users]
    with tenant(s) as (sim, session, policies):
        catalogue, source = load_catalogue(policies)
        directory = GraphDirectory(session.client, tenant_users=1 if listed else 10_000)
        run = session.run(run_preflight(roster, directory, catalogue, sim.clock, None, source))
        assert (directory.listed_chains > 0) is listed
        return {u.upn.split("@")[0]: v for u in s.users if (v := run.verdict_for(u.upn)) is not None}, sim


def check(verdict: UserVerdict, name: str) -> CheckResult:
    (found,) = [c for c in verdict.checks if c.check == name]
    return found


@pytest.mark.parametrize("listed", [False, True], ids=["lookups", "listing"])
def test_every_configuration_request_asks_for_unknown_enum_members(listed: bool) -> None:
    _, sim = verdicts(scenario(), listed=listed)
    received = sim.prefer_received()
    route = LISTING if listed else LOOKUP
    assert received[route] == {PREFER: sum(received[route].values())}
    if not listed:  # the lookups went inside our own $batch, each with its own header
        assert sim.stats()["requests"]["batch:" + LOOKUP] == len(USERS) + len(FILLERS)


@pytest.mark.parametrize("listed", [False, True], ids=["lookups", "listing"])
def test_an_ineligible_account_is_blocked_with_its_own_reason(listed: bool) -> None:
    found, _ = verdicts(scenario(), listed=listed)
    ineligible = found["ineligible"]
    assert ineligible.verdict is Verdict.BLOCKED
    account = check(ineligible, "account.type")
    assert account.outcome is Outcome.FAIL and "ineligibleUser" in account.reason
    assert "unknownFutureValue" not in account.reason
    assert "Teams does not consider this account eligible" in account.remedy


def test_the_docs_calling_plan_user_with_the_voice_flag_off_is_eligible() -> None:
    s = scenario()
    with tenant(s) as (_, session, _policies):
        user = s.users[0]
        body = session.get_json(f"/admin/teams/userConfigurations/{user.id}")
        assert body["value"]["isEnterpriseVoiceEnabled"] is False  # as the documented example answers
    found, _ = verdicts(s)
    assert found["calling.plan"].verdict is Verdict.ELIGIBLE
    assert check(found["calling.plan"], "voice.pstn").reason == "Calling Plan licensed"


@pytest.mark.parametrize("flag", [True, False])
def test_operator_connect_with_the_voice_flag_off_needs_attention_with_the_reason(flag: bool) -> None:
    found, _ = verdicts(scenario(voiceFlagWithoutCallingPlan=flag))
    user = found["operator.connect"]
    if flag:
        assert user.verdict is Verdict.ELIGIBLE
        return
    assert user.verdict is Verdict.NEEDS_ATTENTION
    pstn = check(user, "voice.pstn")
    assert pstn.outcome is Outcome.UNKNOWN and user.main_reason == pstn.reason
    assert "without a Calling Plan" in pstn.reason and "isEnterpriseVoiceEnabled false" in pstn.reason
    assert "-EnterpriseVoiceEnabled $true" in pstn.remedy
    assert found["calling.plan"].verdict is Verdict.ELIGIBLE  # the flag alone never fails a Calling Plan user


@pytest.mark.parametrize("listed_default", [True, False], ids=["global-listed", "global-left-out"])
@pytest.mark.parametrize("global_allows", [True, False], ids=["global-allows", "global-refuses"])
def test_a_user_on_the_default_policy_is_judged_on_globals_settings(listed_default: bool, global_allows: bool) -> None:
    found, _ = verdicts(scenario(global_allows=global_allows, defaultPoliciesListed=listed_default))
    user = found["on.global"]
    assert user.verdict is (Verdict.ELIGIBLE if global_allows else Verdict.BLOCKED)
    sip = check(user, "policy.sip_devices")
    assert sip.outcome is (Outcome.PASS if global_allows else Outcome.FAIL)
    assert "'Global'" in sip.reason
    assert ("assumed" in sip.reason) is not listed_default
    assert ("assumed" in check(user, "policy.call_redirect").reason) is not listed_default
    assert "assumed" not in check(found["calling.plan"], "policy.sip_devices").reason  # its own policy is listed
    if global_allows:  # the verdict itself says what it took for granted
        assert ("assumed" in user.main_reason) is not listed_default
        assert found["calling.plan"].main_reason == "all checks passed"


@pytest.mark.parametrize("listed", [False, True], ids=["lookups", "listing"])
def test_licences_come_from_assigned_plans_alone(listed: bool) -> None:
    found, sim = verdicts(scenario(), listed=listed)
    requests = sim.stats()["requests"]
    assert not [name for name in requests if "licenseDetails" in name]
    no_plans = found["no.plans"]
    assert no_plans.verdict is Verdict.NEEDS_ATTENTION
    licence = [c for c in no_plans.checks if c.check.startswith("licence.")]
    assert len(licence) == 3 and all(c.outcome is Outcome.UNKNOWN and "assignedPlans" in c.reason for c in licence)


def test_skype_for_business_online_plan_2_turned_off_fails_its_own_check() -> None:
    found, _ = verdicts(scenario())
    user = found["no.skype"]
    assert user.verdict is Verdict.BLOCKED
    assert [c.check for c in user.problems] == ["licence.skype_plan2"]
    assert "Skype for Business Online (Plan 2)" in user.main_reason and "turned off" in user.main_reason
    assert check(found["calling.plan"], "licence.skype_plan2").outcome is Outcome.PASS


def test_assigned_plans_decide_between_unlicensed_and_unknown() -> None:
    sku = [{"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "disabledPlans": []}]
    assert licences_from_user({"assignedLicenses": sku}) == (None, NO_PLANS)
    assert licences_from_user({"assignedLicenses": sku, "assignedPlans": []}) == (None, PLANS_NOT_LISTED)
    unlicensed, why = licences_from_user({"assignedLicenses": [], "assignedPlans": []})
    assert unlicensed is not None and not unlicensed.plans and why is None
    plans = [{"servicePlanId": "0FEAEB32-D00E-4D66-BD5A-43B5B83DB82C", "capabilityStatus": "Suspended"}]
    suspended, _ = licences_from_user({"assignedLicenses": sku, "assignedPlans": plans})
    assert suspended is not None and suspended.plan("0feaeb32-d00e-4d66-bd5a-43b5b83db82c") is PlanStatus.DISABLED
