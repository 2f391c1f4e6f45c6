"""The eligibility pre-flight for a roster: gather facts once per user, judge each, summarise.

UPNs are case-insensitive in Entra ID, so rows naming the same account in different casing are
one user, looked up once, with one verdict. A run gives the same verdicts when repeated: nothing
here writes to the tenant.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from teams_sip.domain.clock import Clock
from teams_sip.domain.eligibility import (
    AccountKind,
    CheckResult,
    Lookup,
    Outcome,
    PendingPolicies,
    PolicyCatalogue,
    UserFacts,
    UserVerdict,
    Verdict,
    evaluate,
)
from teams_sip.domain.eligibility.outcomes import verdict_of
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.ports.directory import Directory, PolicySettingsSource, Usage

DEFAULT_COMMON_AREA_IP_PHONE_POLICIES = ("CommonAreaPhone",)
"""The IP phone policy Microsoft's bulk sign-in guide names; extend it with the tenant's own."""


@dataclass(frozen=True)
class RosterUser:
    upn: str
    kind: AccountKind


@dataclass(frozen=True)
class RunSummary:
    users: int
    counts: dict[str, int]
    usage: Usage
    seconds: float
    case_duplicates: tuple[tuple[str, ...], ...] = ()
    policy_source: str = ""

    @property
    def requests_per_user(self) -> float:
        return self.usage.budget_requests / self.users if self.users else 0.0


@dataclass(frozen=True)
class PreflightRun:
    verdicts: tuple[UserVerdict, ...]
    summary: RunSummary
    by_upn: dict[str, UserVerdict] = field(default_factory=dict)

    def verdict_for(self, upn: str) -> UserVerdict | None:
        return self.by_upn.get(upn.casefold())


def load_catalogue(
    source: PolicySettingsSource | None,
    compliant_calling_policies: Iterable[str] = (),
    common_area_ip_phone_policies: Iterable[str] = DEFAULT_COMMON_AREA_IP_PHONE_POLICIES,
) -> tuple[PolicyCatalogue, str]:
    """Real settings when the source answers; otherwise the catalogue alone, with the reason kept."""
    compliant = list(compliant_calling_policies)
    cap = list(common_area_ip_phone_policies)
    if source is None:
        return PolicyCatalogue.build(None, None, compliant, cap), "compliant-policy catalogue only"
    try:
        settings = source.calling_policies()
    except TeamsSipError as exc:
        return PolicyCatalogue.build(None, str(exc), compliant, cap), f"catalogue only ({exc})"
    return PolicyCatalogue.build(settings, None, compliant, cap), "Teams admin API policy settings"


def roster_users(pairs: Iterable[tuple[str, str]]) -> list[RosterUser]:
    """(upn, account type) pairs from a roster; an unknown account type is refused before any lookup."""
    out = []
    for upn, kind in pairs:
        try:
            out.append(RosterUser(upn, AccountKind(kind)))
        except ValueError:
            raise InputError(f"account type {kind!r} for {upn} must be personal or common-area") from None
    return out


async def run_preflight(
    users: Sequence[RosterUser],
    directory: Directory,
    catalogue: PolicyCatalogue,
    clock: Clock,
    pending: PendingPolicies | None = None,
    policy_source: str = "",
) -> PreflightRun:
    started = time.monotonic()
    groups: dict[str, list[RosterUser]] = {}
    for user in users:
        if user.upn.strip():
            groups.setdefault(user.upn.strip().casefold(), []).append(user)
    facts = await directory.read_users([g[0].upn.strip() for g in groups.values()])
    now = clock.now()
    verdicts: list[UserVerdict] = []
    for key, rows in groups.items():
        spellings = tuple(dict.fromkeys(r.upn.strip() for r in rows))
        kinds = {r.kind for r in rows}
        kind = AccountKind.COMMON_AREA if AccountKind.COMMON_AREA in kinds else AccountKind.PERSONAL
        user_facts = facts.get(key) or UserFacts(spellings[0], Lookup.FAILED, "the directory gave no answer")
        verdict = evaluate(user_facts, kind, catalogue, now, pending, also_written_as=spellings[1:])
        if len(kinds) > 1:
            verdict = _with_conflict(verdict)
        verdicts.append(verdict)
    counts = Counter(v.verdict.value for v in verdicts)
    summary = RunSummary(
        users=len(verdicts),
        counts={v.value: counts.get(v.value, 0) for v in Verdict},
        usage=directory.usage(),
        seconds=time.monotonic() - started,
        case_duplicates=tuple((v.upn, *v.also_written_as) for v in verdicts if v.also_written_as),
        policy_source=policy_source,
    )
    return PreflightRun(tuple(verdicts), summary, {v.upn.casefold(): v for v in verdicts})


def _with_conflict(verdict: UserVerdict) -> UserVerdict:
    conflict = CheckResult(
        "roster.account_type",
        Outcome.UNKNOWN,
        "the roster names this account both personal and common-area",
        "Give every row of this UPN the same account type; it was checked as common-area.",
    )
    checks = (*verdict.checks, conflict)
    return replace(verdict, checks=checks, verdict=verdict_of(checks))


@dataclass(frozen=True)
class ReasonGroup:
    verdict: Verdict
    reason: str
    remedy: str
    upns: tuple[str, ...]


def group_by_reason(verdicts: Iterable[UserVerdict]) -> list[ReasonGroup]:
    """Users grouped by verdict and their most serious problem, largest groups first per verdict."""
    groups: dict[tuple[Verdict, str], list[UserVerdict]] = {}
    for v in verdicts:
        key = (v.verdict, _generic(v))
        groups.setdefault(key, []).append(v)
    order = [Verdict.BLOCKED, Verdict.NEEDS_ATTENTION, Verdict.WAITING_FOR_POLICY, Verdict.ELIGIBLE]
    out = [
        ReasonGroup(verdict, reason, _remedy(members), tuple(m.upn for m in members))
        for (verdict, reason), members in groups.items()
    ]
    return sorted(out, key=lambda g: (order.index(g.verdict), -len(g.upns), g.reason))


def _generic(v: UserVerdict) -> str:
    """The main reason without the user-specific parts (UPN, dates), so equal causes group together."""
    problems = v.problems
    if not problems:
        return v.main_reason  # "all checks passed", with what was assumed, if anything
    first = problems[0]
    if first.waiting_until is not None:
        return "waiting for a newly assigned calling policy to take effect (up to 24 hours)"
    return first.reason.replace(v.upn, "<user>")


def _remedy(members: Sequence[UserVerdict]) -> str:
    problems = members[0].problems
    if not problems:
        return ""
    return problems[0].remedy.replace(members[0].upn, "<upn>")


def failing_checks(verdict: UserVerdict) -> list[CheckResult]:
    return [c for c in verdict.checks if c.outcome is Outcome.FAIL]
