"""Read-only views for the admin page and the API: device list, one device with its history, and the
dashboard summary. Times are shown in the site's local time, because that is the clock the
technician at the site works by; stored times stay UTC.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from teams_sip.domain.identifiers import DeviceIdentity, IdKind
from teams_sip.domain.lifecycle.notices import notice_text
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.report import NO_SITE
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.domain.site_keys import site_key
from teams_sip.domain.sites import Site
from teams_sip.errors import InputError
from teams_sip.service.inventory import inventory_health
from teams_sip.service.rollout import Rollout

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
_HEX12 = re.compile(r"^[0-9A-F]{12}$")
# States a person must look at even when no attention reason was recorded.
_NEEDS_PERSON = {DeviceState.BLOCKED: "the user is not eligible yet",
                 DeviceState.STALE: "Teams removed it for inactivity: factory-reset and onboard again",
                 DeviceState.UNKNOWN_IN_TEAMS: "Teams reports it but no roster names it"}


class NotFoundError(InputError):
    """Unknown hardware id, site, date or import: the API answers 404."""

    http_status = 404


def hardware_id_of(text: str) -> str:
    """The 12-hex form from a path segment (dashes and case tolerated); InputError otherwise."""
    compact = re.sub(r"[-:.\s]", "", text).upper()
    if not _HEX12.match(compact):
        raise InputError(f"'{text[:40]}' is not a hardware id: expected 12 hex digits like 00-03-71-7C-0E-0A.")
    return compact


def parse_state(text: str) -> DeviceState:
    cleaned = text.strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return DeviceState(cleaned)
    except ValueError:
        known = ", ".join(s.value for s in DeviceState)
        raise InputError(f"'{text[:40]}' is not a device state; use one of: {known}.") from None


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"'{text[:40]}' is not a date: use YYYY-MM-DD.") from None


def local_text(moment: datetime | None, time_zone: str) -> str | None:
    """`2026-03-17 07:00 CET`: what the page prints for a stored UTC instant."""
    return None if moment is None else moment.astimezone(zone_of(time_zone)).strftime("%Y-%m-%d %H:%M %Z")


def zone_of(time_zone: str) -> ZoneInfo:
    """A site's zone for display; UTC when the name is unknown (the lifecycle reports that itself)."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _forms(record: DeviceRecord) -> tuple[str, str | None]:
    try:
        identity = DeviceIdentity(IdKind(record.kind), record.hardware_id)
    except ValueError:
        identity = DeviceIdentity(IdKind.MAC, record.hardware_id)
    return identity.dashed, identity.ipei_spaced


class Views:
    def __init__(self, rollout: Rollout) -> None:
        self._rollout = rollout

    def _zones(self) -> Mapping[str, Site]:
        return self._rollout.sites()

    def _zone(self, sites: Mapping[str, Site], site: str) -> str:
        found = sites.get(site)
        return found.time_zone if found is not None else "UTC"

    def _row(self, record: DeviceRecord, tz: str) -> dict[str, Any]:
        dashed, _ = _forms(record)
        return {"hardware_id": record.hardware_id, "dashed": dashed, "upn": record.upn, "site": record.site,
                "site_key": site_key(record.site),
                "install_date": None if record.install_date is None else record.install_date.isoformat(),
                "state": record.state.value, "code_expires_local": local_text(self._live_expiry(record), tz)}

    def _live_expiry(self, record: DeviceRecord) -> datetime | None:
        return record.code_expires_at if record.code_is_live(self._rollout.ports.clock.now()) else None

    def devices(self, *, site: str | None = None, state: str | None = None, install_date: str | None = None,
                page: str | None = None, limit: int = PAGE_SIZE) -> dict[str, Any]:
        """One page ordered by hardware id; `next` is the token (last hardware id) for the following page."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise InputError(f"limit must be between 1 and {MAX_PAGE_SIZE}.")
        where: dict[str, str] = {}
        if site:
            where["site"] = site
        if state:
            where["state"] = parse_state(state).value
        if install_date:
            where["install_date_text"] = parse_day(install_date).isoformat()
        after = hardware_id_of(page) if page else ""
        records = sorted((s.record for s in self._rollout.devices.all(where or None)
                          if s.record.hardware_id > after), key=lambda r: r.hardware_id)
        chunk = records[:limit]
        sites = self._zones()
        return {"devices": [self._row(r, self._zone(sites, r.site)) for r in chunk],
                "next": chunk[-1].hardware_id if len(records) > limit else None}

    def device(self, hardware_id: str) -> dict[str, Any]:
        hid = hardware_id_of(hardware_id)
        stored = self._rollout.devices.get(hid)
        if stored is None:
            raise NotFoundError(f"No handset {hardware_id[:40]} is known: import it in a roster first.")
        record = stored.record
        tz = self._zone(self._zones(), record.site)
        dashed, ipei = _forms(record)
        verdict = self._rollout.verdicts.all().get(record.upn.casefold())
        body = self._row(record, tz) | {
            "dashed": dashed, "ipei_decimal": ipei,
            "verdict": None if record.verdict is None else record.verdict.value,
            "verdict_reason": verdict.reason if verdict is not None else None,
            "attention": None if record.attention is None else notice_text(record.attention, record),
        }
        history = [{"at": local_text(t.at, tz), "from": None if t.from_state is None else t.from_state.value,
                    "to": t.to_state.value, "cause": t.cause} for t in record.history]
        sources = [{"source": e.source.label, "said": e.said.value, "at": local_text(e.at, tz), "user": e.user,
                    "detail": e.detail, "by_person": not e.source.from_teams} for e in reversed(record.evidence)]
        return {"device": body, "history": history, "sources": sources}

    def summary(self) -> dict[str, Any]:
        now = self._rollout.ports.clock.now()
        sites = self._zones()
        verdicts = self._rollout.verdicts.all()
        counts: dict[str, Counter[str]] = {}
        today: dict[tuple[str, date], list[DeviceRecord]] = {}
        attention: list[dict[str, Any]] = []
        for stored in self._rollout.devices.all():
            record = stored.record
            counts.setdefault(record.site or NO_SITE, Counter())[record.state.value] += 1
            tz = self._zone(sites, record.site)
            if record.install_date is not None and record.install_date == now.astimezone(zone_of(tz)).date():
                today.setdefault((record.site, record.install_date), []).append(record)
            reason = self._attention(record, verdicts)
            if reason:
                dashed, _ = _forms(record)
                attention.append({"hardware_id": record.hardware_id, "dashed": dashed, "upn": record.upn,
                                  "site": record.site, "state": record.state.value, "reason": reason})
        order = [s.value for s in DeviceState]
        return {
            "now": now.isoformat(),
            "sites": [{"site": site, "counts": {s: c[s] for s in order if c[s]}} for site, c in sorted(counts.items())],
            "today": [self._today(site, day, records, sites) for (site, day), records in sorted(today.items())],
            "attention": sorted(attention, key=lambda a: (a["site"], a["hardware_id"])),
            "inventory": inventory_health(self._rollout.ports.store),
        }

    def _today(self, site: str, day: date, records: list[DeviceRecord], sites: Mapping[str, Site]) -> dict[str, Any]:
        live = [e for e in (self._live_expiry(r) for r in records) if e is not None]
        return {"site": site, "site_key": site_key(site), "install_date": day.isoformat(), "devices": len(records),
                "codes_live": len(live),
                "next_expiry_local": local_text(min(live), self._zone(sites, site)) if live else None}

    @staticmethod
    def _attention(record: DeviceRecord, verdicts: Mapping[str, Any]) -> str | None:
        if record.attention is not None:
            return notice_text(record.attention, record)
        if record.state is DeviceState.BLOCKED:
            stored = verdicts.get(record.upn.casefold())
            return str(stored.reason) if stored is not None and stored.reason else _NEEDS_PERSON[record.state]
        return _NEEDS_PERSON.get(record.state)
