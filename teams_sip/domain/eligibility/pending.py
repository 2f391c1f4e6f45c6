"""Calling-policy changes the service has made that Teams may not show yet (up to 24 hours).

Between assigning a policy and Teams reporting it as effective, the user is "waiting for policy":
not blocked (the fix is on its way) and not eligible (the handset would not sign in yet). The same
record stops a repeated `fix-policies --apply` from assigning the policy a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PROPAGATION = timedelta(hours=24)
"""Microsoft: policy changes can take up to 24 hours to take effect."""


@dataclass(frozen=True)
class PendingPolicy:
    upn: str
    user_id: str
    policy_type: str
    policy_name: str
    policy_id: str
    assigned_at: datetime

    @property
    def effective_by(self) -> datetime:
        return self.assigned_at + PROPAGATION

    def to_json(self) -> dict[str, str]:
        return {
            "upn": self.upn,
            "userId": self.user_id,
            "policyType": self.policy_type,
            "policyName": self.policy_name,
            "policyId": self.policy_id,
            "assignedAt": self.assigned_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PendingPolicy:
        """Raises ValueError (or KeyError/TypeError) on a malformed record; the caller reports the file."""
        assigned = datetime.fromisoformat(str(data["assignedAt"]))
        if assigned.tzinfo is None:
            raise ValueError("assignedAt has no time zone")
        return cls(
            upn=str(data["upn"]),
            user_id=str(data["userId"]),
            policy_type=str(data["policyType"]),
            policy_name=str(data["policyName"]),
            policy_id=str(data["policyId"]),
            assigned_at=assigned,
        )


class PendingPolicies:
    """The latest pending change per (user, policy type); an in-memory ledger, also the file's model."""

    def __init__(self, entries: Iterable[PendingPolicy] = ()) -> None:
        self._by_key: dict[tuple[str, str], PendingPolicy] = {}
        for entry in entries:
            self.record(entry)

    def record(self, entry: PendingPolicy) -> None:
        key = (entry.user_id.lower(), entry.policy_type.lower())
        current = self._by_key.get(key)
        if current is None or current.assigned_at <= entry.assigned_at:
            self._by_key[key] = entry

    def get(self, user_id: str, policy_type: str) -> PendingPolicy | None:
        return self._by_key.get((user_id.lower(), policy_type.lower()))

    def entries(self) -> list[PendingPolicy]:
        return sorted(self._by_key.values(), key=lambda e: (e.upn.lower(), e.policy_type))
