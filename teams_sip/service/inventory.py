"""One pass's reading of every inventory source (ports/inventory.py), and how each source fared.

The sources are read one after another (each is one listing or a few pages); what they say is
matched to handsets (evidence.attribute) and handed to the plan, which keeps it on the records and
follows the newest word. Each source's health is remembered in the state store, so the report and
the admin page can say "teamwork devices unavailable since ..., sign-in logs current to ...".
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from teams_sip.domain.lifecycle.evidence import Evidence, Source, Statement, attribute
from teams_sip.domain.lifecycle.inputs import ObservedDevice
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.service.inventory_inbox import Inbox
from teams_sip.service.ports.inventory import InventorySource, SourceHealth, SourceReading
from teams_sip.service.ports.store import StateStore

log = logging.getLogger(__name__)

TABLE = "inventory"
HEALTH = "health"
REMOTE = frozenset({Source.TEAMWORK_DEVICES, Source.SIGNIN_LOGS})  # read from Microsoft: may fail
_WAIT = frozenset({Source.SIGNIN_LOGS})  # read past a mark: other sites' part must be kept for their passes


@dataclass
class InventoryPass:
    """What the plan gets: the complete listing (None: none this pass) and each handset's new evidence."""

    listing: dict[str, ObservedDevice] | None
    evidence: dict[str, list[Evidence]]
    readings: list[SourceReading] = field(default_factory=list)
    unmatched: int = 0
    line: str = ""  # "inventory: ..." for the report, empty when every source is current
    leftover: dict[str, list[Evidence]] = field(default_factory=dict)
    fresh: frozenset[Evidence] = frozenset()  # read from a _WAIT source this pass and not yet in the inbox

    def keep_only(self, hardware_ids: Collection[str]) -> None:
        """A pass of some sites: what the sign-in log said about other sites' handsets waits in the inbox
        for their own pass (the listing, bulk results and the inbox itself are read by every pass). Only
        what the inbox does not hold yet is added (the log is re-read with an overlap, and the inbox
        keeps rows a week): adding it again would multiply it with every site pass."""
        self.leftover = {h: kept for h, ev in self.evidence.items() if h not in hardware_ids
                         if (kept := [e for e in ev if e in self.fresh])}
        self.evidence = {h: ev for h, ev in self.evidence.items() if h in hardware_ids}

    def commit(self, store: StateStore, now: datetime) -> None:
        """Once the pass saved its records: the sign-in log's mark moves on, leftovers wait."""
        if self.leftover:
            Inbox(store).add((Statement(e, h) for h, ev in self.leftover.items() for e in ev), now)
        for reading in self.readings:
            reading.commit()


class Inventory:
    def __init__(self, sources: Sequence[InventorySource], store: StateStore) -> None:
        self._sources, self._store = tuple(sources), store

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(s.source for s in self._sources)

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> InventoryPass:
        readings = [self._read_one(source, records, now) for source in self._sources]
        listing: dict[str, ObservedDevice] | None = None
        statements: list[Statement] = []
        for reading in readings:
            statements.extend(reading.statements)
            if reading.listing is not None:
                listing = {**(listing or {}), **reading.listing}
        evidence, unmatched = attribute(statements, records)
        health = self._remember(readings, now)
        inbox = {s.evidence for r in readings if r.source == Source.ADMIN_EXPORT for s in r.statements}
        fresh = frozenset(s.evidence for r in readings if r.source in _WAIT for s in r.statements) - inbox
        return InventoryPass(listing, evidence, readings, len(unmatched), status_line(health), fresh=fresh)

    def _read_one(self, source: InventorySource, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        try:
            return source.read(records, now)
        except Exception as exc:  # a source's own bug must not stop the pass: it is reported as unavailable
            log.exception("inventory source %s failed", source.source.value)
            return SourceReading(source.source, SourceHealth(False, reason=f"{type(exc).__name__}: {exc}"))

    def _remember(self, readings: Sequence[SourceReading], now: datetime) -> dict[str, dict[str, Any]]:
        """Each source's stored health brought up to date: when it was last current, since when it
        has been unavailable (kept across failing passes), and why."""
        health = self.health()
        for reading in readings:
            if reading.source not in REMOTE:
                continue  # read from our own store: always current, nothing to say
            key, old = reading.source.value, health.get(reading.source.value, {})
            h = reading.health
            if h.ok:
                new = {"ok": True, "current_to": (h.current_to or now).isoformat(), "unavailable_since": None,
                       "reason": ""}
            else:
                new = {"ok": False, "current_to": old.get("current_to"),
                       "unavailable_since": old.get("unavailable_since") or now.isoformat(), "reason": h.reason}
            if new != old:
                self._store.upsert(TABLE, HEALTH, key, new)
            health[key] = new
        return {s.value: health[s.value] for s in self.sources if s.value in health}

    def health(self) -> dict[str, dict[str, Any]]:
        return _stored_health(self._store)


def _stored_health(store: StateStore) -> dict[str, dict[str, Any]]:
    return {e.row_key: dict(e.data) for e in store.query(TABLE, HEALTH)}


def inventory_health(store: StateStore) -> dict[str, Any]:
    """For the admin page: each remote source's last known health and the one-line summary."""
    health = {k: h for k, h in _stored_health(store).items() if k in {s.value for s in REMOTE}}
    return {"line": status_line(health),
            "sources": [{"source": Source(k).label} | h for k, h in sorted(health.items())]}


def status_line(health: Mapping[str, Mapping[str, Any]]) -> str:
    """'inventory: teamwork devices unavailable since ... (why), sign-in logs current to ...'; empty
    when no source is unavailable (a healthy estate's report stays quiet)."""
    if all(h.get("ok") for h in health.values()):
        return ""
    parts = []
    for key, h in health.items():
        label = Source(key).label
        if h.get("ok"):
            parts.append(f"{label} current to {h.get('current_to')}")
        else:
            parts.append(f"{label} unavailable since {h.get('unavailable_since')} ({h.get('reason')})")
    return "inventory: " + ", ".join(parts)
