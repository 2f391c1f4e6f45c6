"""Header matching: admins name columns many ways; each alias maps to one roster field.

Matching ignores case, spaces and punctuation, so "Handset IPEI", "handset_ipei" and "HANDSET-IPEI"
are the same column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from teams_sip.domain.identifiers import excerpt, quoted
from teams_sip.domain.roster import IDENTIFIER_FIELDS, Field

ALIASES: dict[Field, tuple[str, ...]] = {
    Field.IPEI: ("IPEI", "Handset IPEI", "IPUI", "Handset IPUI", "IPEI number", "IPEI hex", "IPEI decimal",
                 "IPEI/IPUI"),
    Field.MAC: ("MAC", "MAC address", "MAC id", "Hardware ID", "Hardware address", "MAC/Hardware ID"),
    Field.DEVICE_ID: ("Device ID", "Identifier", "Device identifier", "Handset ID"),
    Field.UPN: ("UPN", "User", "Email", "E-mail", "Email address", "Sign-in name", "User principal name",
                "Username", "User name", "Mail"),
    Field.DISPLAY_NAME: ("Display name", "Name", "Full name", "User display name"),
    Field.SITE: ("Site", "Location", "Site name", "Office"),
    Field.INSTALL_DATE: ("Install date", "Installation date", "Install on", "Install day", "Date"),
    Field.REGION: ("Region", "SIP Gateway region", "Gateway region"),
    Field.ACCOUNT_TYPE: ("Account type", "Account kind", "User type"),
    Field.MODEL: ("Model", "Handset model", "Device model", "Phone model"),
    Field.HANDSET_FIRMWARE: ("Handset firmware", "Firmware", "Handset FW"),
    Field.BASE_FIRMWARE: ("Base firmware", "Base FW", "Base station firmware"),
    Field.TIME_ZONE: ("Time zone", "Timezone", "TZ"),
    Field.SITE_CONTACT: ("Site contact", "Contact", "Contact email"),
}


def normalise(header: str) -> str:
    return re.sub(r"[\W_]+", "", header.casefold())


_LOOKUP: dict[str, Field] = {normalise(alias): f for f, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    columns: tuple[tuple[Field, str], ...]  # field and the admin's header text
    positions: tuple[int, ...]  # cell index of each matched column, aligned with `columns`
    ignored: tuple[str, ...]  # headers we do not use (shown to the admin, never an error)

    @property
    def usable(self) -> bool:
        fields = {f for f, _ in self.columns}
        return Field.UPN in fields and any(f in fields for f in IDENTIFIER_FIELDS)


def match_header(cells: Sequence[str]) -> HeaderMatch:
    """First column wins when two headers mean the same field; the second is listed as ignored."""
    columns: list[tuple[Field, str]] = []
    positions: list[int] = []
    ignored: list[str] = []
    taken: set[Field] = set()
    for i, text in enumerate(cells):
        label = excerpt(text.strip())  # headers are shown to the admin and name columns in every issue
        f = _LOOKUP.get(normalise(text)) if len(text) <= 200 else None
        if f is None or f in taken:
            if label:
                ignored.append(label)
            continue
        taken.add(f)
        columns.append((f, label))
        positions.append(i)
    return HeaderMatch(tuple(columns), tuple(positions), tuple(ignored))


def expected_columns() -> str:
    """A short list for refusal messages, so the admin knows what to rename."""
    ident = " / ".join(ALIASES[Field.IPEI][:2] + ALIASES[Field.MAC][:2])
    user = " / ".join(ALIASES[Field.UPN][:4])
    return f"an identifier column ({ident}) and a user column ({user})"


_NAMES = {Field.UPN: "user", Field.DEVICE_ID: "identifier"}
_NAMES.update({f: f.value.replace("_", " ").replace("ipei", "IPEI").replace("mac", "MAC") for f in Field
               if f not in _NAMES})
LISTED = 10  # headers named in a refusal; the rest are counted


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f" and {len(items) - LISTED:,} more" if len(items) > LISTED else "")


def describe_headers(match: HeaderMatch | None, searched: int) -> str:
    """Why a header row is unusable: which required column is missing, what was recognised, what was not."""
    if match is None:
        return (f"No recognisable columns: the file needs {expected_columns()}. Headers found: none in the "
                f"first {searched} rows (the header must be one of them).")
    fields = {f for f, _ in match.columns}
    has_id, has_user = any(f in fields for f in IDENTIFIER_FIELDS), Field.UPN in fields
    if not has_id and not has_user:
        missing = f"the file needs {expected_columns()}"
    elif not has_id:
        missing = f"there is no identifier column ({_aliases(Field.IPEI, Field.MAC)})"
    else:
        missing = f"there is no user column ({_aliases(Field.UPN)})"
    recognised = _listing([f"{quoted(label, 40)} ({_NAMES[f]})" for f, label in match.columns]) or "none"
    other = _listing([quoted(label, 40) for label in match.ignored]) or "none"
    return f"No recognisable columns: {missing}. Headers found: recognised {recognised}; not recognised {other}."


def _aliases(*fields: Field) -> str:
    return " / ".join(alias for f in fields for alias in ALIASES[f][:3])
