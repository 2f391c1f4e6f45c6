"""What the directory knows about one user: the input to every eligibility check.

Each part records whether it could be read at all. A part that could not be read (403, a failed
request) stays `None` with a reason, so a check can answer "unknown" instead of guessing "fail".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Lookup(StrEnum):
    """How looking the account up by UPN ended."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"  # the app may not read this user (403)
    FAILED = "failed"  # the request failed after its retries


class PlanStatus(StrEnum):
    """A service plan's state, folded from licenseDetails' provisioningStatus or assignedPlans'."""

    ENABLED = "enabled"
    PENDING = "pending"
    DISABLED = "disabled"


class AccountKind(StrEnum):
    """How the roster means the account to be used."""

    PERSONAL = "personal"
    COMMON_AREA = "common-area"


@dataclass(frozen=True)
class Licences:
    sku_ids: frozenset[str]
    plans: dict[str, PlanStatus]  # service plan GUID (lower case) -> best status across SKUs

    def plan(self, plan_id: str) -> PlanStatus | None:
        return self.plans.get(plan_id.lower())


@dataclass(frozen=True)
class PhoneNumber:
    number: str
    category: str  # primary | private | alternate


DEFAULT_POLICY = "Global"
"""The org-wide default policy of every Teams policy type; judged when Teams lists none of a type
(the assumption is recorded as teams_sip.unverified.UNLISTED_POLICY, kept equal by a test)."""


def assumed_default(policy_type: str) -> str:
    """What a verdict says when a policy was judged as the default because Teams listed none."""
    return f"assumed: Teams listed no {policy_type} for the user, so the org-wide default ({DEFAULT_POLICY}) applies"


@dataclass(frozen=True)
class PolicyAssignment:
    policy_type: str  # e.g. TeamsCallingPolicy
    name: str  # display name as Teams reports it ("Global", "Tag:X" or "X")
    policy_id: str | None = None
    assignment_type: str | None = None  # direct | group


@dataclass(frozen=True)
class TeamsConfig:
    account_type: str  # user, resourceAccount, guest, sfbOnPremUser, unknown, ineligibleUser
    enterprise_voice: bool | None
    phone_numbers: tuple[PhoneNumber, ...] = ()
    policies: tuple[PolicyAssignment, ...] = ()
    feature_types: tuple[str, ...] = ()

    def effective(self, policy_type: str) -> PolicyAssignment | None:
        wanted = policy_type.lower()
        return next((p for p in self.policies if p.policy_type.lower() == wanted), None)

    def effective_or_default(self, policy_type: str) -> tuple[PolicyAssignment, bool]:
        """The effective policy of this type, or the org-wide default (Global) when Teams lists none:
        Microsoft's pages do not say whether `effectivePolicyAssignments` lists a policy that comes
        from the default, so a missing entry is read as Global and reported as assumed (True)."""
        found = self.effective(policy_type)
        return (found, False) if found is not None else (PolicyAssignment(policy_type, DEFAULT_POLICY), True)

    def has_feature(self, feature: str) -> bool:
        """A `featureTypes` entry, e.g. "CallingPlan" (the documented example shows Teams, CallingPlan)."""
        return feature.lower() in (f.lower() for f in self.feature_types)

    def primary_number(self) -> str | None:
        return next((n.number for n in self.phone_numbers if n.category.lower() == "primary" and n.number), None)


@dataclass(frozen=True)
class UserFacts:
    upn: str
    lookup: Lookup
    lookup_detail: str = ""  # admin-readable cause when lookup is not FOUND
    user_id: str | None = None
    account_enabled: bool | None = None
    user_type: str | None = None  # Member | Guest
    licences: Licences | None = None
    licences_error: str | None = None
    teams: TeamsConfig | None = None
    teams_error: str | None = None
