"""The latest eligibility verdict per user, so a reconciliation pass knows which devices may be
registered without asking Graph again, and the admin can see why a device waits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from teams_sip.domain.eligibility.outcomes import UserVerdict
from teams_sip.domain.lifecycle.inputs import Verdict
from teams_sip.service.ports.store import MAX_BATCH_OPS, StateStore, WriteOp

VERDICTS_TABLE = "verdicts"
VERDICTS_PARTITION = "user"


@dataclass(frozen=True)
class StoredVerdict:
    upn: str
    verdict: Verdict
    reason: str
    remedy: str
    checked_at: datetime
    account_kind: str = ""  # as the roster gave it when checked ("" in rows written before it was kept)


class VerdictStore:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def save(self, verdicts: Iterable[UserVerdict], at: datetime) -> int:
        """Upserts in store transactions of MAX_BATCH_OPS (one per user was most of a pre-flight's
        local time at thousands of users)."""
        ops: dict[str, WriteOp] = {}
        for v in verdicts:
            problem = v.problems[0] if v.problems else None
            key = v.upn.casefold()
            body = {"upn": key, "verdict": v.verdict.value, "reason": v.main_reason,
                    "remedy": problem.remedy if problem else "", "checked_at": at.isoformat(),
                    "account_kind": str(v.account_kind)}
            ops[key] = WriteOp("upsert", key, body)  # one op per user: a batch takes each row key once
        items = list(ops.values())
        for start in range(0, len(items), MAX_BATCH_OPS):
            self._store.batch(VERDICTS_TABLE, VERDICTS_PARTITION, items[start:start + MAX_BATCH_OPS])
        return len(items)

    def all(self) -> dict[str, StoredVerdict]:
        out: dict[str, StoredVerdict] = {}
        for entity in self._store.query(VERDICTS_TABLE, VERDICTS_PARTITION):
            d = entity.data
            out[d["upn"]] = StoredVerdict(d["upn"], Verdict(d["verdict"]), d["reason"], d["remedy"],
                                          datetime.fromisoformat(d["checked_at"]), str(d.get("account_kind", "")))
        return out
