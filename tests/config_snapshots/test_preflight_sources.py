"""The pre-flight judged from a snapshot, and the order of sources when the snapshot cannot serve."""

from __future__ import annotations

import contextlib

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.graph.directory import GraphDirectory
from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings
from teams_sip.domain.eligibility import AccountKind, Outcome, UserVerdict
from teams_sip.service.eligibility import PreflightRun, RosterUser, run_preflight
from teams_sip.service.policy_sources import load_policy_catalogue
from teams_sip.service.ports.config_snapshots import SnapshotError
from teams_sip.simulator.catalog import ALL_ROLES
from tests.config_snapshots.conftest import SnapStack, Start
from tests.eligibility.conftest import sim_settings

MFA_FOR_ALL = {"DisplayName": "Require MFA for everyone", "State": "enabled", "IncludeUsers": ["All"],
               "BuiltInControls": ["mfa"]}


def _preflight(stack: SnapStack, *, admin: bool, snapshots: bool = True) -> tuple[PreflightRun, str]:
    settings = sim_settings(stack.sim)
    tokens = build_token_provider(settings, stack.sim.clock)
    session = GraphSession(settings, tokens)
    source = TeamsAdminPolicySettings(settings, tokens) if admin else None
    try:
        catalogue, label = load_policy_catalogue(stack.source if snapshots else None, source, stack.sim.clock)
        users = [RosterUser(u.upn, AccountKind.COMMON_AREA if u.case == "common_area" else AccountKind.PERSONAL)
                 for u in stack.sim.world.scenario.users]
        run = session.run(run_preflight(users, GraphDirectory(session.client), catalogue, stack.sim.clock,
                                        policy_source=label))
        return run, label
    finally:
        session.close()
        if source is not None:
            source.close()


def _case(stack: SnapStack, run: PreflightRun, case: str) -> UserVerdict:
    user = stack.sim.world.scenario.users_with_case(case)[0]
    verdict = run.verdict_for(user.upn)
    assert verdict is not None
    return verdict


def _check(verdict: UserVerdict, name: str) -> tuple[Outcome, str]:
    found = next(c for c in verdict.checks if c.check == name)
    return found.outcome, found.reason


def _ready(stack: SnapStack) -> None:
    with contextlib.suppress(SnapshotError):  # the first pass only starts the job
        stack.source.current()
    stack.advance(10)


def test_snapshot_judges_calling_and_ip_phone_policies_and_mfa(start_stack: Start) -> None:
    stack = start_stack(conditional_access=(MFA_FOR_ALL,))
    _ready(stack)
    run, label = _preflight(stack, admin=False)
    assert label.startswith("configuration snapshot taken")
    eligible = _case(stack, run, "eligible")
    assert _check(eligible, "policy.sip_devices") == (Outcome.PASS, "calling policy 'SIPDevices' allows SIP devices "
                                                                     "(snapshot)")
    assert _check(_case(stack, run, "policy_not_sip"), "policy.sip_devices")[0] is Outcome.FAIL
    assert _check(_case(stack, run, "policy_no_redirect"), "policy.call_redirect")[0] is Outcome.FAIL
    common = _case(stack, run, "common_area")
    assert _check(common, "common_area.ip_phone_policy")[0] is Outcome.PASS
    outcome, reason = _check(common, "common_area.mfa")
    assert outcome is Outcome.FAIL and "Require MFA for everyone" in reason
    assert not any(v.item.startswith("MFA") for v in common.verify_yourself)
    assert run.summary.policy_source == label


def test_without_mfa_policies_mfa_stays_verify_yourself(start_stack: Start) -> None:
    stack = start_stack()
    _ready(stack)
    run, _ = _preflight(stack, admin=False)
    common = _case(stack, run, "common_area")
    assert all(c.check != "common_area.mfa" for c in common.checks)
    assert any(v.item.startswith("MFA") for v in common.verify_yourself)


def test_missing_permission_falls_back_to_the_admin_api_and_says_why(start_stack: Start) -> None:
    stack = start_stack(roles=tuple(r for r in ALL_ROLES if r != "ConfigurationMonitoring.ReadWrite.All"))
    run, label = _preflight(stack, admin=True)
    assert "configuration snapshot unavailable" in label and "ConfigurationMonitoring.ReadWrite.All" in label
    assert label.endswith("Teams admin API policy settings")
    assert _check(_case(stack, run, "eligible"), "policy.sip_devices")[0] is Outcome.PASS


def test_without_snapshot_or_admin_api_the_catalogue_judges_last(start_stack: Start) -> None:
    stack = start_stack(service_principal="missing")
    run, label = _preflight(stack, admin=False)
    assert "service principal" in label and label.endswith("compliant-policy catalogue only")
    assert _check(_case(stack, run, "eligible"), "policy.sip_devices")[0] is Outcome.UNKNOWN


def test_the_snapshot_is_not_used_when_switched_off(start_stack: Start) -> None:
    stack = start_stack()
    _, label = _preflight(stack, admin=True, snapshots=False)
    assert label == "Teams admin API policy settings"
    assert stack.jobs_created == 0
