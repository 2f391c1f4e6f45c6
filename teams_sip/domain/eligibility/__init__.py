"""Eligibility pre-flight: per-user checks and verdicts, in plain Python (issue 4)."""

from teams_sip.domain.eligibility.evaluate import evaluate
from teams_sip.domain.eligibility.facts import (
    AccountKind,
    Licences,
    Lookup,
    PhoneNumber,
    PlanStatus,
    PolicyAssignment,
    TeamsConfig,
    UserFacts,
)
from teams_sip.domain.eligibility.outcomes import CheckResult, Outcome, UserVerdict, Verdict, VerifyYourself
from teams_sip.domain.eligibility.pending import PendingPolicies, PendingPolicy
from teams_sip.domain.eligibility.policies import CallingPolicySettings, PolicyCatalogue, policy_key

__all__ = [
    "AccountKind",
    "CallingPolicySettings",
    "CheckResult",
    "Licences",
    "Lookup",
    "Outcome",
    "PendingPolicies",
    "PendingPolicy",
    "PhoneNumber",
    "PlanStatus",
    "PolicyAssignment",
    "PolicyCatalogue",
    "TeamsConfig",
    "UserFacts",
    "UserVerdict",
    "Verdict",
    "VerifyYourself",
    "evaluate",
    "policy_key",
]
