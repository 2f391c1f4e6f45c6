"""The latest eligibility verdict per user, so a reconciliation pass knows which devices may be
registered without asking Graph again, and the admin can see why a device waits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from teams_sip.domain.eligibility.outcomes import UserVerdict
from teams_sip.domain.lifecycle.inputs import Verdict
from teams_sip.service.ports.store import StateStore

VERDICTS_TABLE = "verdicts"
VERDICTS_PARTITION = "user"


@dataclass(frozen=True)
class StoredVerdict:
    upn: str
    verdict: Verdict
    reason: str
    remedy: str
    checked_at: datetime


class VerdictStore:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def save(self, verdicts: Iterable[UserVerdict], at: datetime) -> int:
        count = 0
        for v in verdicts:
            problem = v.problems[0] if v.problems else None
            body = {"upn": v.upn.casefold(), "verdict": v.verdict.value, "reason": v.main_reason,
                    "remedy": problem.remedy if problem else "", "checked_at": at.isoformat()}
            self._store.upsert(VERDICTS_TABLE, VERDICTS_PARTITION, v.upn.casefold(), body)
            count += 1
        return count

    def all(self) -> dict[str, StoredVerdict]:
        out: dict[str, StoredVerdict] = {}
        for entity in self._store.query(VERDICTS_TABLE, VERDICTS_PARTITION):
            d = entity.data
            out[d["upn"]] = StoredVerdict(d["upn"], Verdict(d["verdict"]), d["reason"], d["remedy"],
                                          datetime.fromisoformat(d["checked_at"]))
        return out
