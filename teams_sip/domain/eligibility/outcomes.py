"""Check results and verdicts: the words the admin reads, and how checks add up to a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    UNKNOWN = "unknown"  # the service could not judge: never counted as a pass


class Verdict(StrEnum):
    """Same values as the lifecycle's Verdict, so a verdict can be handed over as its value."""

    ELIGIBLE = "eligible"
    BLOCKED = "blocked"  # at least one check failed: devices are never registered
    NEEDS_ATTENTION = "needs_attention"  # nothing failed, but something could not be judged
    WAITING_FOR_POLICY = "waiting_for_policy"  # only a recently assigned calling policy is outstanding


@dataclass(frozen=True)
class CheckResult:
    check: str  # stable id, e.g. "licence.teams_phone"
    outcome: Outcome
    reason: str
    remedy: str = ""
    waiting_until: datetime | None = None  # set while a policy change is propagating
    assumption: str = ""  # what the check took for granted because Teams did not say (also in the reason)


@dataclass(frozen=True)
class VerifyYourself:
    """A prerequisite the service cannot see; the admin checks it at the exact place named."""

    item: str
    where: str


@dataclass(frozen=True)
class UserVerdict:
    upn: str
    account_kind: str
    verdict: Verdict
    checks: tuple[CheckResult, ...]
    verify_yourself: tuple[VerifyYourself, ...] = ()
    user_id: str | None = None
    also_written_as: tuple[str, ...] = field(default=())  # roster spellings differing only in case

    @property
    def problems(self) -> tuple[CheckResult, ...]:
        """Failures first, then unknowns: what the admin has to act on, most serious first."""
        fails = [c for c in self.checks if c.outcome is Outcome.FAIL]
        unknowns = [c for c in self.checks if c.outcome is Outcome.UNKNOWN]
        return tuple(fails + unknowns)

    @property
    def main_reason(self) -> str:
        """The most serious problem; for a user who passes, what was assumed to get there (if anything)."""
        problems = self.problems
        if problems:
            return problems[0].reason
        assumed = next((c.assumption for c in self.checks if c.assumption), "")
        return f"all checks passed ({assumed})" if assumed else "all checks passed"


def verdict_of(checks: Sequence[CheckResult]) -> Verdict:
    """Fail beats unknown beats pass; unknowns that are only a propagating policy mean 'waiting'."""
    if any(c.outcome is Outcome.FAIL for c in checks):
        return Verdict.BLOCKED
    unknowns = [c for c in checks if c.outcome is Outcome.UNKNOWN]
    if not unknowns:
        return Verdict.ELIGIBLE
    if all(c.waiting_until is not None for c in unknowns):
        return Verdict.WAITING_FOR_POLICY
    return Verdict.NEEDS_ATTENTION
