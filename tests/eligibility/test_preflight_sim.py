"""The pre-flight end to end against the simulated tenant: one scenario user per failure cause."""

from __future__ import annotations

import pytest

from teams_sip.domain.eligibility import AccountKind, Outcome, Verdict
from teams_sip.errors import TeamsSipError
from teams_sip.service.eligibility import (
    PreflightRun,
    RosterUser,
    group_by_reason,
    load_catalogue,
    run_preflight,
)
from teams_sip.simulator import Scenario
from tests.eligibility.conftest import Stack

# case -> (verdict, the check that decides it, its outcome)
EXPECTED = {
    "eligible": (Verdict.ELIGIBLE, None, None),
    "eligible_direct_routing": (Verdict.ELIGIBLE, None, None),
    "unlicensed": (Verdict.BLOCKED, "licence.teams", Outcome.FAIL),
    "no_teams_phone": (Verdict.BLOCKED, "licence.teams_phone", Outcome.FAIL),
    "teams_phone_disabled": (Verdict.BLOCKED, "licence.teams_phone", Outcome.FAIL),
    "no_pstn": (Verdict.BLOCKED, "voice.pstn", Outcome.FAIL),
    "no_phone_number": (Verdict.BLOCKED, "voice.number", Outcome.FAIL),
    "policy_not_sip": (Verdict.BLOCKED, "policy.sip_devices", Outcome.FAIL),
    "policy_no_redirect": (Verdict.BLOCKED, "policy.call_redirect", Outcome.FAIL),
    "policy_user_redirect": (Verdict.NEEDS_ATTENTION, "policy.call_redirect", Outcome.UNKNOWN),
    "disabled_account": (Verdict.BLOCKED, "account.enabled", Outcome.FAIL),
    "resource_account": (Verdict.BLOCKED, "account.type", Outcome.FAIL),
    "guest": (Verdict.BLOCKED, "account.type", Outcome.FAIL),
    "sfb_on_prem": (Verdict.BLOCKED, "account.type", Outcome.FAIL),
    "common_area": (Verdict.ELIGIBLE, None, None),
    "common_area_no_cap_policy": (Verdict.BLOCKED, "common_area.ip_phone_policy", Outcome.FAIL),
    "common_area_no_shared_licence": (Verdict.BLOCKED, "common_area.shared_devices_licence", Outcome.FAIL),
}


def roster(scenario: Scenario, extra: tuple[RosterUser, ...] = ()) -> list[RosterUser]:
    users = [
        RosterUser(u.upn, AccountKind.COMMON_AREA if u.case.startswith("common_area") else AccountKind.PERSONAL)
        for u in scenario.users
    ]
    return users + list(extra)


def preflight(stack: Stack, users: list[RosterUser], *, settings: bool = True) -> PreflightRun:
    catalogue, source = load_catalogue(stack.policies if settings else None)
    result: PreflightRun = stack.session.run(
        run_preflight(users, stack.directory, catalogue, stack.sim.clock, None, source)
    )
    return result


def test_every_failure_cause_gets_its_verdict_and_check(stack: Stack, scenario: Scenario) -> None:
    assert {u.case for u in scenario.users} == set(EXPECTED)
    result = preflight(stack, roster(scenario))
    assert result.summary.policy_source == "Teams admin API policy settings"
    for user in scenario.users:
        verdict, check, outcome = EXPECTED[user.case]
        got = result.verdict_for(user.upn)
        assert got is not None, user.case
        assert got.verdict is verdict, (user.case, got.main_reason)
        if check is not None:
            assert got.problems[0].check == check, (user.case, got.problems)
            assert got.problems[0].outcome is outcome
    cap = result.verdict_for("cap.lobby@contoso.example")
    assert cap is not None and cap.verify_yourself


def test_unknown_and_case_duplicate_upns_are_clear_per_user_results(stack: Stack, scenario: Scenario) -> None:
    extra = (
        RosterUser("nobody@contoso.example", AccountKind.PERSONAL),
        RosterUser("ELIGIBLE@Contoso.Example", AccountKind.PERSONAL),
    )
    result = preflight(stack, roster(scenario, extra))
    assert result.summary.users == len(scenario.users) + 1
    missing = result.verdict_for("nobody@contoso.example")
    assert missing is not None and missing.verdict is Verdict.BLOCKED
    assert missing.problems[0].check == "account.exists"
    same = result.verdict_for("eligible@contoso.example")
    assert same is not None and same.verdict is Verdict.ELIGIBLE
    assert same.also_written_as == ("ELIGIBLE@Contoso.Example",)
    assert result.summary.case_duplicates == (("eligible@contoso.example", "ELIGIBLE@Contoso.Example"),)


def test_grouping_counts_users_per_reason(stack: Stack, scenario: Scenario) -> None:
    groups = group_by_reason(preflight(stack, roster(scenario)).verdicts)
    by_reason = {g.reason: len(g.upns) for g in groups}
    assert by_reason["all checks passed"] == 3
    assert sum(by_reason.values()) == len(scenario.users)
    assert groups[0].verdict is Verdict.BLOCKED


def test_without_policy_settings_policies_are_unknown_never_pass(stack: Stack, scenario: Scenario) -> None:
    result = preflight(stack, roster(scenario), settings=False)
    eligible = result.verdict_for("eligible@contoso.example")
    assert eligible is not None and eligible.verdict is Verdict.NEEDS_ATTENTION
    assert result.summary.counts["eligible"] == 0


def test_requests_are_batched_and_counted(stack: Stack, scenario: Scenario) -> None:
    result = preflight(stack, roster(scenario))
    usage = result.summary.usage
    stats = stack.sim.stats()
    assert usage.batch_inner_requests == stats["innerBatchRequests"]
    # 17 users, the whole 17-user tenant: 2 filtered user lookups + 1 tenant-size probe in $batch, and the
    # tenant's Teams configurations in one listing page rather than 17 lookups
    assert usage.batch_inner_requests == 2 + 1
    assert usage.http_requests == 3
    assert result.summary.requests_per_user == pytest.approx(usage.budget_requests / len(scenario.users))


def test_missing_user_read_permission_is_a_run_level_error(stack: Stack, scenario: Scenario) -> None:
    stack.sim.set_app_roles(["TeamsUserConfiguration.Read.All", "TeamsPolicy.Read.All"])
    with pytest.raises(TeamsSipError, match=r"User\.Read\.All"):
        preflight(stack, roster(scenario))


def test_missing_teams_permission_leaves_users_needing_attention(stack: Stack, scenario: Scenario) -> None:
    stack.sim.set_app_roles(["User.Read.All", "TeamsPolicy.Read.All"])
    result = preflight(stack, roster(scenario))
    eligible = result.verdict_for("eligible@contoso.example")
    assert eligible is not None and eligible.verdict is Verdict.NEEDS_ATTENTION
    assert "TeamsUserConfiguration.Read.All" in eligible.main_reason
    no_phone = result.verdict_for("no.teams.phone@contoso.example")
    assert no_phone is not None and no_phone.verdict is Verdict.BLOCKED  # licences still judged


@pytest.mark.faults
def test_throttling_and_transient_errors_mid_run_give_the_same_verdicts(stack: Stack, scenario: Scenario) -> None:
    clean = {v.upn: (v.verdict, v.main_reason) for v in preflight(stack, roster(scenario)).verdicts}
    stack.sim.set_faults(rate_limit_per_s=40, burst=5, throttled=0.5, error_503=0.15, error_504=0.05)
    noisy = preflight(stack, roster(scenario))
    assert {v.upn: (v.verdict, v.main_reason) for v in noisy.verdicts} == clean
    assert stack.sim.stats()["throttled"] > 0 or noisy.summary.usage.retries > 0
