"""fix-policies: dry run changes nothing, apply assigns once, users wait for the policy, then pass."""

from __future__ import annotations

from datetime import timedelta

import pytest

from teams_sip.domain.eligibility import Verdict
from teams_sip.errors import InputError
from teams_sip.service.eligibility import load_catalogue, run_preflight
from teams_sip.service.remediation import MemoryLedger, apply_fixes, check_target_policy, plan_fixes
from teams_sip.simulator import Scenario
from tests.eligibility.conftest import Stack
from tests.eligibility.test_preflight_sim import roster


def check(stack: Stack, scenario: Scenario, ledger: MemoryLedger):
    catalogue, _ = load_catalogue(stack.policies)
    return stack.session.run(run_preflight(roster(scenario), stack.directory, catalogue, stack.sim.clock,
                                           ledger.load()))


def test_dry_run_plans_only_policy_only_problems_and_changes_nothing(stack: Stack, scenario: Scenario) -> None:
    ledger = MemoryLedger()
    plan = plan_fixes(check(stack, scenario, ledger).verdicts, "SIPDevices", ledger.load())
    assert sorted(c.upn for c in plan.to_assign) == [
        "global.policy@contoso.example", "no.redirect@contoso.example", "user.redirect@contoso.example"]
    assert "no.teams.phone@contoso.example" in {upn for upn, _ in plan.skipped}
    assert "Grant-CsTeamsCallingPolicy -Identity 'global.policy@contoso.example' -PolicyName 'SIPDevices'" in (
        plan.powershell())
    assert not plan.applied
    assert stack.sim.world.pending == []
    assert "batch:POST /v1.0/.../userAssignments/assign" not in stack.sim.stats()["requests"]


def test_apply_assigns_once_waits_and_then_passes(stack: Stack, scenario: Scenario) -> None:
    ledger = MemoryLedger()
    plan = plan_fixes(check(stack, scenario, ledger).verdicts, "SIPDevices", ledger.load())
    applied = stack.session.run(apply_fixes(plan, stack.directory, ledger, stack.sim.clock))
    assert [c.status for c in applied.changes] == ["assigned"] * 3
    assert len(ledger.load().entries()) == 3
    assert len(stack.sim.world.pending) == 3

    waiting = check(stack, scenario, ledger)
    v = waiting.verdict_for("global.policy@contoso.example")
    assert v is not None and v.verdict is Verdict.WAITING_FOR_POLICY
    blocked = waiting.verdict_for("no.teams.phone@contoso.example")
    assert blocked is not None and blocked.verdict is Verdict.BLOCKED

    before = stack.sim.stats()["requests"].get("batch:POST /v1.0/.../userAssignments/assign", 0)
    again = plan_fixes(waiting.verdicts, "SIPDevices", ledger.load())
    assert [c.status for c in again.changes] == ["already assigned, waiting"] * 3
    repeated = stack.session.run(apply_fixes(again, stack.directory, ledger, stack.sim.clock))
    assert repeated.to_assign == ()
    assert stack.sim.stats()["requests"].get("batch:POST /v1.0/.../userAssignments/assign", 0) == before

    stack.sim.clock.advance(timedelta(hours=3))  # the scenario's propagation is 2 hours
    later = check(stack, scenario, ledger)
    for upn in ("global.policy@contoso.example", "no.redirect@contoso.example", "user.redirect@contoso.example"):
        fixed = later.verdict_for(upn)
        assert fixed is not None and fixed.verdict is Verdict.ELIGIBLE, fixed


def test_unknown_or_non_compliant_target_policy_assigns_nothing(stack: Stack, scenario: Scenario) -> None:
    ledger = MemoryLedger()
    verdicts = check(stack, scenario, ledger).verdicts
    with pytest.raises(InputError, match="SIPNoRedirect"):
        check_target_policy(verdicts, "SIPNoRedirect")
    plan = plan_fixes(verdicts, "DoesNotExist", ledger.load())
    with pytest.raises(InputError, match="no calling policy named 'DoesNotExist'"):
        stack.session.run(apply_fixes(plan, stack.directory, ledger, stack.sim.clock))
    assert stack.sim.world.pending == []
    assert ledger.load().entries() == []
