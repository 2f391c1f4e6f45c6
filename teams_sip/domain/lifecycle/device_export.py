"""The Teams admin center's SIP device list, as the admin exports it (the page's Export button), read
as statements about handsets (evidence.py).

Microsoft documents no layout for that export (docs/microsoft.md, "SIP devices inventory"), so columns
are found by what their header means: the hardware id (MAC address), the signed-in user, the sign-in
state, and when the device was last seen. A file without a hardware id column, or with neither a
state nor a user column, is refused whole, naming the headers it has. Each row is matched to a
handset by its hardware id (identifiers.parse_identifier); a row that cannot be read or matched is
reported and changes nothing.

The export is taken as the complete SIP device list at the time it was made (an assumption:
unverified.TAC_EXPORT_IS_COMPLETE), so `absences` says which handsets it no longer shows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from teams_sip.domain.identifiers import excerpt, parse_identifier
from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, Statement
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.roster import RowIssue
from teams_sip.errors import InputError

_MEANINGS = {
    "hardware": ("mac", "macaddress", "macaddresses", "macid", "hardwareid", "deviceid", "ipei", "ipui", "serial"),
    "user": ("user", "username", "userprincipalname", "upn", "signedinuser", "signedinas", "currentuser",
             "account", "signedinby"),
    "state": ("state", "status", "signinstatus", "signinstate", "devicestate", "provisioningstatus",
              "connectionstatus"),
    "seen": ("lastseen", "lastseenutc", "lastactivity", "lastcontact", "lastconnected", "lastsignin",
             "lastupdated", "lastmodified"),
}
_SIGNED_IN = ("signedin", "online", "active", "paired", "connected")
_SIGNED_OUT = ("signedout", "waitingforsignin", "activated", "notsignedin", "offline", "unpaired")
_PRE_ACTIVATION = ("waitingonactivation", "registered", "provisioned", "pending", "notactivated")
_US_TIMES = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M")  # how the admin center shows times
_NON_WORD = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True)
class DeviceExport:
    statements: tuple[Statement, ...]
    errors: tuple[RowIssue, ...]
    ignored: int  # rows about devices teams-sip does not know, or that say nothing (waiting on activation)
    listed: frozenset[str] = frozenset()  # every known handset the file shows, in whatever state


def _key(text: str) -> str:
    return _NON_WORD.sub("", text.casefold().replace("(utc)", ""))


def columns(header: Sequence[str]) -> dict[str, int]:
    """Each meaning's column (the first header that has it)."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _key(text)
        for meaning, names in _MEANINGS.items():
            if meaning not in found and key in names:
                found[meaning] = index
    return found


def read_device_export(header: Sequence[str], rows: Sequence[Sequence[str]], known: Mapping[str, object],
                       received_at: datetime) -> DeviceExport:
    """Statements at `received_at` (the export shows each device as of its download; a row's last-seen
    time is kept as detail for the page). InputError when the layout is not one we can read."""
    where = columns(header)
    if "hardware" not in where or not ({"state", "user"} & set(where)):
        shown = ", ".join(f"'{excerpt(h, 40)}'" for h in header if h.strip()) or "none"
        raise InputError(f"This does not look like the Teams admin center's SIP device export: it needs a MAC "
                         f"address (hardware id) column and a sign-in status or user column. Headers found: {shown}.")
    statements: list[Statement] = []
    errors: list[RowIssue] = []
    ignored = 0
    listed: set[str] = set()
    for number, cells in enumerate(rows, start=2):
        def cell(meaning: str, cells: Sequence[str] = cells) -> str:
            index = where.get(meaning)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        raw = cell("hardware")
        if not raw:
            continue
        parsed = parse_identifier(raw)
        if parsed.identity is None:
            errors.append(RowIssue(number, header[where["hardware"]], parsed.reason or "not a hardware id"))
            continue
        if parsed.identity.hardware_id not in known:
            ignored += 1
            continue
        listed.add(parsed.identity.hardware_id)
        said = _said(cell("state"), cell("user"), "state" in where)
        if said is None:
            if cell("state") and _key(cell("state")) not in _PRE_ACTIVATION:
                status = excerpt(cell("state"), 40)
                errors.append(RowIssue(number, header[where["state"]], f"unknown status '{status}'"))
            else:
                ignored += 1
            continue
        seen = _time(cell("seen"))
        detail = f"last seen {seen.isoformat()}" if seen is not None else ""
        evidence = Evidence(Source.ADMIN_EXPORT, said, received_at, cell("user") or None, detail)
        statements.append(Statement(evidence, parsed.identity.hardware_id))
    return DeviceExport(tuple(statements), tuple(errors), ignored, frozenset(listed))


def absences(export: DeviceExport, records: Mapping[str, DeviceRecord], at: datetime) -> tuple[Statement, ...]:
    """An "unlisted" statement at `at` (the export's time) for each handset Teams should list (signed
    in, or signed out since) that the export does not show. None at all when the export cannot be
    taken as a complete listing: a row could not be read (it may be one of them), or it shows none of
    those handsets (a whole fleet is never off-boarded at once; more likely a filtered or wrong file)."""
    rules = Offboarding()
    due = [hid for hid, rec in records.items() if rules.limit(rec) is not None]
    if export.errors or not export.listed.intersection(due):
        return ()
    return tuple(Statement(Evidence(Source.ADMIN_EXPORT, Said.UNLISTED, at), hid)
                 for hid in due if hid not in export.listed)


def _said(state: str, user: str, has_state: bool) -> Said | None:
    key = _key(state)
    if has_state:
        if key in _SIGNED_IN:
            return Said.SIGNED_IN
        if key in _SIGNED_OUT:
            return Said.ACTIVATED
        return None
    return Said.SIGNED_IN if user else Said.ACTIVATED  # listed without a user: signed out


def _time(text: str) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        value = None
    for form in _US_TIMES:
        if value is not None:
            break
        try:
            value = datetime.strptime(text, form)
        except ValueError:
            continue
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
