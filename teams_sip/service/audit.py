"""One audit row per change to the tenant or to our records: who, what, when, on what, and the
request or run it belonged to. Rows are partitioned by month so a month can be exported or purged."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teams_sip.service.ports.store import StateStore

AUDIT_TABLE = "audit"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str
    correlation_id: str
    details: Mapping[str, Any]


class AuditLog:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def record(self, at: datetime, actor: str, action: str, target: str, correlation_id: str,
               details: Mapping[str, Any] | None = None) -> None:
        """Details must never carry a secret: callers pass counts, ids and names only."""
        body = {"at": at.isoformat(), "actor": actor, "action": action, "target": target,
                "correlation_id": correlation_id, "details": dict(details or {})}
        self._store.insert(AUDIT_TABLE, at.strftime("%Y-%m"), f"{at.isoformat()}-{uuid.uuid4().hex[:8]}", body)

    def entries(self, month: str) -> list[AuditEntry]:
        rows = [e.data for e in self._store.query(AUDIT_TABLE, month)]
        return sorted(
            (AuditEntry(datetime.fromisoformat(r["at"]), r["actor"], r["action"], r["target"], r["correlation_id"],
                        r["details"]) for r in rows),
            key=lambda e: e.at,
        )
