"""Turning issued codes into technician worksheets, kept as artefacts and sent to the site contacts.

A site's worksheet for an install date holds every code still live for that day: each delivery
merges the new codes into the day's `lines.json` (the worksheet itself, so it is the one artefact
that holds codes), drops lines whose code lapsed or was replaced, and renders CSV and HTML again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from teams_sip.domain.identifiers import DeviceIdentity, IdKind, excerpt
from teams_sip.domain.readiness.site_block import SiteNotReadyError, render_site_block
from teams_sip.domain.secrets import Secret
from teams_sip.domain.site_keys import site_key
from teams_sip.domain.sites import Site
from teams_sip.domain.worksheets import Worksheet, WorksheetLine, render_csv, render_html
from teams_sip.service.executor import DeliveredCode
from teams_sip.service.ports.notifier import NOT_SENT, ArtifactStore, Attachment, Message, Notifier
from teams_sip.service.roster_store import RosterRow

log = logging.getLogger(__name__)


def worksheet_dir(site: str, day: date) -> str:
    """Keyed by the site's exact name (slug plus hash): sites that slug alike never share a folder."""
    return f"worksheets/{site_key(site)}/{day.isoformat()}"


def _line(code: DeliveredCode, row: RosterRow | None) -> WorksheetLine:
    identity = row.identity if row is not None else DeviceIdentity(IdKind.MAC, code.hardware_id)
    return WorksheetLine(
        hardware_id=code.hardware_id,
        dashed=identity.dashed,
        upn=row.upn if row else "",
        display_name=row.display_name if row else "",
        location=code.site,
        code=code.code,
        expires_at=code.expires_at,
        ipei_hex=identity.ipei_hex,
        ipei_decimal=identity.ipei_spaced,
        mac=identity.dashed if identity.kind is IdKind.MAC else None,
        generated_after=code.generated_after,
    )


def _to_json(line: WorksheetLine) -> dict[str, Any]:
    return {"hardware_id": line.hardware_id, "dashed": line.dashed, "upn": line.upn,
            "display_name": line.display_name, "location": line.location, "code": line.code.reveal(),
            "expires_at": line.expires_at.isoformat(), "ipei_hex": line.ipei_hex,
            "ipei_decimal": line.ipei_decimal, "mac": line.mac,
            "generated_after": None if line.generated_after is None else line.generated_after.isoformat()}


def _from_json(data: Mapping[str, Any]) -> WorksheetLine:
    return WorksheetLine(data["hardware_id"], data["dashed"], data["upn"], data["display_name"], data["location"],
                         Secret(data["code"]), datetime.fromisoformat(data["expires_at"]), data.get("ipei_hex"),
                         data.get("ipei_decimal"), data.get("mac"), _time_or_none(data.get("generated_after")))


def _time_or_none(text: object) -> datetime | None:
    return datetime.fromisoformat(text) if isinstance(text, str) else None


class WorksheetDelivery:
    def __init__(self, artifacts: ArtifactStore, notifier: Notifier, *, sites: Mapping[str, Site],
                 roster: Mapping[str, RosterRow], tenant_id: str | None, now: Callable[[], datetime],
                 admin_contacts: Sequence[str] = ()) -> None:
        self._artifacts, self._notifier = artifacts, notifier
        self._sites, self._roster, self._tenant, self._now = sites, roster, tenant_id, now
        self._admins = tuple(admin_contacts)

    def __call__(self, codes: Sequence[DeliveredCode]) -> list[tuple[str, str]]:
        """Every site's worksheet, each on its own: one site whose files cannot be written (or mailed)
        never stops another's. Answers (hardware id, why) for each code whose worksheet failed."""
        groups: dict[tuple[str, date], list[DeliveredCode]] = {}
        for code in codes:
            if code.install_date is not None:
                groups.setdefault((code.site, code.install_date), []).append(code)
        failed: list[tuple[str, str]] = []
        for (site, day), batch in sorted(groups.items()):
            try:
                self.deliver(site, day, batch)
            except NOT_SENT as exc:
                reason = f"worksheet for {excerpt(site)} on {day.isoformat()} not written or sent: {exc}"
                log.error("%s", reason)
                failed.extend((c.hardware_id, reason) for c in batch)
        return failed

    def deliver(self, site_name: str, day: date, codes: Sequence[DeliveredCode]) -> Worksheet:
        now = self._now()
        folder = worksheet_dir(site_name, day)
        previous = self._artifacts.get(f"{folder}/lines.json")
        lines = {ln.hardware_id: ln for ln in map(_from_json, json.loads(previous or b"[]")) if ln.expires_at > now}
        lines.update({c.hardware_id: _line(c, self._roster.get(c.hardware_id)) for c in codes})
        site = self._sites.get(site_name) or Site(site_name)
        try:
            block = tuple(render_site_block(site, self._tenant))
        except SiteNotReadyError as exc:
            block = (f"Site settings unavailable: {exc}",)
        sheet = Worksheet(site_name, day, site.time_zone, tuple(lines.values()), now, block)
        self._artifacts.put(f"{folder}/lines.json", json.dumps([_to_json(x) for x in sheet.lines]).encode(),
                            "application/json")
        csv_text, html_text = render_csv(sheet), render_html(sheet)
        self._artifacts.put(f"{folder}/worksheet.csv", csv_text.encode("utf-8-sig"), "text/csv")
        self._artifacts.put(f"{folder}/worksheet.html", html_text.encode(), "text/html")
        recipients = tuple(dict.fromkeys((*site.contacts, *self._admins)))
        if recipients:
            self._notifier.send(Message(
                to=recipients,
                subject=f"Handset worksheet: {site_name}, {day.isoformat()} ({len(codes)} new code(s))",
                text=f"The worksheet for {site_name} on {day.isoformat()} is attached: {len(sheet.lines)} handset(s)"
                     " with live verification codes. Codes are valid for 24 hours.",
                html=html_text,
                attachments=(Attachment(f"{sheet.name}.csv", "text/csv", csv_text.encode("utf-8-sig")),),
                category="worksheet",
            ))
        return sheet

    def read(self, site_name: str, day: date, fmt: str) -> bytes | None:
        """The current worksheet file (`csv` or `html`), or None when no code was issued for that day."""
        return self._artifacts.get(f"{worksheet_dir(site_name, day)}/worksheet.{fmt}")
