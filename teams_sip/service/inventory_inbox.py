"""Inventory sources that live in our own state store: bulk sign-in results (already ingested by the
sign-in stage) and the inbox of what people hand in between passes (the admin's export of the Teams
admin center's SIP device list, technicians' "dialled" / "signed in" marks).

What is handed in is kept as statements in the inbox for KEEP (a week) and read by every pass:
statements are idempotent (a record keeps only what is newer), so passes of different sites, even at
the same moment, each take their own handsets' statements and nothing has to be handed on or lost.
An upload is checked whole before anything is kept, so it never half-applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, Statement
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.signin.errors import Outcome
from teams_sip.service.ports.inventory import SourceHealth, SourceReading
from teams_sip.service.ports.store import StateStore
from teams_sip.service.signin_records import SignInBook

TABLE = "inventory"
INBOX = "inbox"
KEEP = timedelta(days=7)
_FAILED = {Outcome.ELIGIBILITY.value, Outcome.NEEDS_ADMIN.value, Outcome.NEW_ONBOARDING.value}


class BulkResultsSource:
    """Each common-area handset's last bulk sign-in outcome: signed in, or the reason it was not."""

    source = Source.BULK_SIGNIN

    def __init__(self, store: StateStore) -> None:
        self._book = SignInBook(store)

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        statements = []
        for hid, entry in self._book.devices().items():
            if hid not in records or not entry.outcome_at:
                continue
            try:
                at = datetime.fromisoformat(entry.outcome_at)
            except ValueError:
                continue
            if entry.outcome == Outcome.SIGNED_IN.value:
                statements.append(Statement(Evidence(self.source, Said.SIGNED_IN, at, records[hid].upn), hid))
            elif entry.outcome in _FAILED:
                detail = f"{entry.error}: {entry.remedy}" if entry.error else entry.remedy
                statements.append(Statement(Evidence(self.source, Said.SIGN_IN_FAILED, at, None, detail), hid))
        return SourceReading(self.source, SourceHealth(True, now), tuple(statements))


class Inbox:
    """Statements handed in by people, waiting for the next pass: one row per upload (in chunks of
    PER_ROW), written only after the whole file was read, so a refused file leaves nothing behind."""

    PER_ROW = 1000

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def add(self, statements: Iterable[Statement], now: datetime) -> int:
        items = [_body(s) for s in statements]
        for i in range(0, len(items), self.PER_ROW):
            self._store.upsert(TABLE, INBOX, uuid.uuid4().hex,
                               {"at": now.isoformat(), "statements": items[i:i + self.PER_ROW]})
        return len(items)

    def waiting(self, now: datetime) -> list[Statement]:
        """Every statement handed in during the last KEEP; older or unreadable rows are dropped whole."""
        out = []
        for entity in self._store.query(TABLE, INBOX):
            try:
                at = datetime.fromisoformat(str(entity.data["at"]))
                row = [Statement(Evidence.from_dict(item), str(item["hardware_id"]))
                       for item in entity.data["statements"]]
            except (KeyError, TypeError, ValueError):
                row, at = [], now - KEEP
            if at.tzinfo is None or now - at >= KEEP:
                self._store.delete(TABLE, INBOX, entity.row_key)
                continue
            out.extend(row)
        return out


class InboxSource:
    """The inbox: export rows and technicians' marks, each statement carrying its own source."""

    source = Source.ADMIN_EXPORT

    def __init__(self, store: StateStore) -> None:
        self._inbox = Inbox(store)

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        return SourceReading(self.source, SourceHealth(True, now), tuple(self._inbox.waiting(now)))


def _body(statement: Statement) -> dict[str, object]:
    return {"hardware_id": statement.hardware_id, **statement.evidence.to_dict()}
