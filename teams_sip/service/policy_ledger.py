"""Calling-policy changes teams-sip made, kept in the state store: Teams takes up to 24 hours to apply
a policy, and until then the pre-flight must say "waiting for policy", not "blocked"."""

from __future__ import annotations

from teams_sip.domain.eligibility.pending import PendingPolicies, PendingPolicy
from teams_sip.service.ports.store import StateStore

LEDGER_TABLE = "policyledger"
LEDGER_PARTITION = "pending"


class StoreLedger:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def load(self) -> PendingPolicies:
        rows = self._store.query(LEDGER_TABLE, LEDGER_PARTITION)
        return PendingPolicies(PendingPolicy.from_json(e.data) for e in rows)

    def save(self, pending: PendingPolicies) -> None:
        for entry in pending.entries():
            key = f"{entry.user_id}|{entry.policy_type}"
            self._store.upsert(LEDGER_TABLE, LEDGER_PARTITION, key, entry.to_json())
