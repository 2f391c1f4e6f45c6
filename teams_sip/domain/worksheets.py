"""Technician worksheets: one per site and install date, listing each handset with the dial
string `*55*<code>` and when the code expires in the site's local time.

This is the one place where verification codes are revealed, because a technician must read them.
The rendered files are delivered (mail, output folder) and kept as artefacts; the device records
keep only a fingerprint.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from teams_sip.domain.csv_safety import write_csv
from teams_sip.domain.secrets import Secret
from teams_sip.domain.site_keys import site_key

CSV_HEADER = (
    "Site",
    "Install date",
    "User",
    "Display name",
    "Hardware ID",
    "IPEI (hex)",
    "IPEI (decimal)",
    "MAC",
    "Location",
    "Dial",
    "Code expires (site time)",
)


@dataclass(frozen=True)
class WorksheetLine:
    hardware_id: str
    dashed: str
    upn: str
    display_name: str
    location: str
    code: Secret
    expires_at: datetime
    ipei_hex: str | None = None
    ipei_decimal: str | None = None
    mac: str | None = None
    generated_after: datetime | None = None  # the export gave no expiry: expires_at is this plus 24 hours

    @property
    def dial_string(self) -> Secret:
        return Secret(f"*55*{self.code.reveal()}")


@dataclass(frozen=True)
class Worksheet:
    site: str
    install_date: date
    time_zone: str
    lines: tuple[WorksheetLine, ...]
    generated_at: datetime
    site_block: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """A file-safe base name unique to the site, e.g. `berlin-hq-1a2b3c4d5e_2026-03-10`."""
        return f"{site_key(self.site)}_{self.install_date.isoformat()}"

    def local(self, when: datetime) -> str:
        local = when.astimezone(ZoneInfo(self.time_zone))
        return local.strftime("%Y-%m-%d %H:%M %Z")

    def expiry(self, line: WorksheetLine) -> str:
        """When the code lapses; for a code whose export had no expiry, the earliest it can, and why."""
        if line.generated_after is None:
            return self.local(line.expires_at)
        asked = line.generated_after.astimezone(ZoneInfo(self.time_zone)).strftime("%H:%M")
        return f"{self.local(line.expires_at)} (generated after {asked})"


def site_slug(site: str) -> str:
    """A site name as a file-safe word: `Berlin HQ` -> `berlin-hq`."""
    slug = "".join(c if c.isalnum() else "-" for c in site.lower()).strip("-")
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug or "site"


def render_csv(sheet: Worksheet) -> str:
    rows: list[Sequence[str]] = [
        (
            sheet.site,
            sheet.install_date.isoformat(),
            line.upn,
            line.display_name,
            line.dashed,
            line.ipei_hex or "",
            line.ipei_decimal or "",
            line.mac or "",
            line.location,
            line.dial_string.reveal(),
            sheet.expiry(line),
        )
        for line in _sorted(sheet.lines)
    ]
    return write_csv(CSV_HEADER, rows)


def render_html(sheet: Worksheet) -> str:
    """A printable page: the site block on top, then one row per handset, large dial strings."""
    esc = html.escape
    block = "".join(f"<li>{esc(item)}</li>" for item in sheet.site_block)
    rows = "".join(
        "<tr>"
        f"<td>{esc(line.display_name or line.upn)}<br><small>{esc(line.upn)}</small></td>"
        f"<td><code>{esc(line.ipei_decimal or line.mac or line.dashed)}</code>"
        f"<br><small>{esc(line.ipei_hex or line.dashed)}</small></td>"
        f"<td>{esc(line.location)}</td>"
        f"<td class=dial><code>{esc(line.dial_string.reveal())}</code></td>"
        f"<td>{esc(sheet.expiry(line))}</td>"
        "<td class=done>&#9744;</td>"
        "</tr>"
        for line in _sorted(sheet.lines)
    )
    title = f"Handset worksheet: {sheet.site}, {sheet.install_date.isoformat()}"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f"<p>Generated {esc(sheet.local(sheet.generated_at))}. On each handset dial the code shown and "
        "press call before it expires. Codes are valid for 24 hours.</p>"
        + (_DERIVED_NOTE if any(line.generated_after is not None for line in sheet.lines) else "")
        + (f"<h2>Site settings</h2><ul class=site>{block}</ul>" if block else "")
        + "<table><thead><tr><th scope=col>User</th><th scope=col>Handset</th><th scope=col>Location</th>"
        "<th scope=col>Dial</th><th scope=col>Expires (site time)</th><th scope=col>Done</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )


def _sorted(lines: Sequence[WorksheetLine]) -> list[WorksheetLine]:
    return sorted(lines, key=lambda line: (line.location, line.upn, line.hardware_id))


_DERIVED_NOTE = ("<p>Where an expiry says \"generated after\", the code export gave no expiry: the code was "
                 "generated after teams-sip asked for it at that time, so the expiry shown is the earliest it "
                 "can lapse.</p>")

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#111}"
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #555;padding:.4em;text-align:left}"
    "td.dial code{font-size:1.4em;font-weight:bold}td.done{text-align:center;font-size:1.4em}"
    "ul.site{font-family:monospace}@media print{body{margin:0}}"
)
