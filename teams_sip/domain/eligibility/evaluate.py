"""One user's verdict from the directory's facts, the policy catalogue and pending policy changes."""

from __future__ import annotations

from datetime import datetime

from teams_sip.domain.eligibility.checks import (
    CALLING_POLICY,
    account_checks,
    calling_policy_checks,
    licence_checks,
    voice_checks,
)
from teams_sip.domain.eligibility.common_area import common_area_checks, verify_yourself
from teams_sip.domain.eligibility.facts import AccountKind, UserFacts
from teams_sip.domain.eligibility.outcomes import Outcome, UserVerdict, verdict_of
from teams_sip.domain.eligibility.pending import PendingPolicies
from teams_sip.domain.eligibility.policies import PolicyCatalogue


def evaluate(
    facts: UserFacts,
    kind: AccountKind,
    catalogue: PolicyCatalogue,
    now: datetime,
    pending: PendingPolicies | None = None,
    also_written_as: tuple[str, ...] = (),
) -> UserVerdict:
    checks = account_checks(facts)
    if all(c.outcome is Outcome.PASS for c in checks if c.check == "account.exists"):
        change = pending.get(facts.user_id, CALLING_POLICY) if pending is not None and facts.user_id else None
        checks += licence_checks(facts)
        checks += voice_checks(facts)
        checks += calling_policy_checks(facts, catalogue, change, now)
        if kind is AccountKind.COMMON_AREA:
            checks += common_area_checks(facts, catalogue)
    return UserVerdict(
        upn=facts.upn,
        account_kind=kind.value,
        verdict=verdict_of(checks),
        checks=tuple(checks),
        verify_yourself=verify_yourself(checks) if kind is AccountKind.COMMON_AREA else (),
        user_id=facts.user_id,
        also_written_as=also_written_as,
    )
