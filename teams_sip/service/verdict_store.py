"""The latest eligibility verdict per user, so a reconciliation pass knows which devices may be
registered without asking Graph again, and the admin can see why a device waits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

    def save(self, verdicts: Iterable[UserVerdict], at: datetime, known: dict[str, StoredVerdict] | None = None
             ) -> int:
        """Upserts in store transactions of MAX_BATCH_OPS (one per user was most of a pre-flight's
        local time at thousands of users); `known` (what `all` answered earlier) is brought up to date
        with them, so a pass reads the table once."""
        bodies = {v.upn.casefold(): _body(v, at) for v in verdicts}  # one op per user: a batch takes each key once
        items = [WriteOp("upsert", key, body) for key, body in bodies.items()]
        for start in range(0, len(items), MAX_BATCH_OPS):
            self._store.batch(VERDICTS_TABLE, VERDICTS_PARTITION, items[start:start + MAX_BATCH_OPS])
        if known is not None:
            known.update((key, _stored(body)) for key, body in bodies.items())
        return len(items)

    def all(self) -> dict[str, StoredVerdict]:
        return {e.data["upn"]: _stored(e.data) for e in self._store.query(VERDICTS_TABLE, VERDICTS_PARTITION)}


def _body(v: UserVerdict, at: datetime) -> dict[str, object]:
    problem = v.problems[0] if v.problems else None
    return {"upn": v.upn.casefold(), "verdict": v.verdict.value, "reason": v.main_reason,
            "remedy": problem.remedy if problem else "", "checked_at": at.isoformat(),
            "account_kind": str(v.account_kind)}


def _stored(d: Mapping[str, Any]) -> StoredVerdict:
    return StoredVerdict(d["upn"], Verdict(d["verdict"]), d["reason"], d["remedy"],
                         datetime.fromisoformat(d["checked_at"]), str(d.get("account_kind", "")))
