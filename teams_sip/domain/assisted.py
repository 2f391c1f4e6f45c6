"""Assisted provisioning: Microsoft documents no API for registering devices or issuing codes, so the admin
does the two TAC steps by hand (upload the "MAC id"/"Location" CSV; generate and export codes) and
teams-sip does everything else. This module writes the TAC upload file and reads the code export
back, matching every code to a known device or saying why it cannot."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from teams_sip.domain.csv_safety import write_machine_csv
from teams_sip.domain.identifiers import parse_identifier
from teams_sip.domain.roster import RowIssue
from teams_sip.domain.secrets import Secret

TAC_UPLOAD_COLUMNS = ("MAC id", "Location")
CODE_VALIDITY = timedelta(hours=24)

_ALIASES = {
    "hardware": ("mac id", "macid", "mac", "mac address", "hardware id", "hardwareid", "device id", "deviceid",
                 "ipei", "ipui", "device"),
    "code": ("verification code", "verificationcode", "code", "activation code", "pairing code"),
    "expires": ("expires", "expiry", "expires at", "expiration", "expiration time", "valid until", "expiresat",
                "code expiry"),
}
_CODE = re.compile(r"^[A-Za-z0-9]{4,16}$")


def tac_upload_csv(devices: Iterable[tuple[str, str]]) -> str:
    """Rows of (12-hex hardware id, location) as TAC's "Provision devices" CSV template wants them: a
    file TAC reads, so a location is written unchanged (raises UnsafeCellError for a formula-like one)."""
    rows = [("-".join(h[i : i + 2] for i in range(0, 12, 2)), location) for h, location in devices]
    return write_machine_csv(TAC_UPLOAD_COLUMNS, rows)


@dataclass(frozen=True)
class ImportedCode:
    row: int
    hardware_id: str
    code: Secret
    expires_at: datetime
    generated_after: datetime | None = None  # set when the export had no expiry: the expiry is derived from it


@dataclass(frozen=True)
class CodeImport:
    codes: tuple[ImportedCode, ...]
    errors: tuple[RowIssue, ...]


def _column(header: Sequence[str], kind: str) -> int | None:
    wanted = _ALIASES[kind]
    for index, text in enumerate(header):
        if " ".join(text.strip().lower().replace("_", " ").split()) in wanted:
            return index
    return None


def _expiry(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def read_code_export(
    header: Sequence[str], rows: Sequence[Sequence[str]], known: Mapping[str, object], received_at: datetime,
    asked_at: Mapping[str, datetime] | None = None,
) -> CodeImport:
    """Match an exported code list to known devices. Row numbers count the header as row 1.

    A row without an expiry gets the earliest expiry its code can have: the admin generated it after
    teams-sip asked for it (`asked_at`, per hardware id), and a code lasts 24 hours from generation,
    so it lapses no earlier than the ask plus 24 hours. A handset nobody asked a code for falls back
    to the upload time (the caller refuses such rows anyway). Messages never contain the codes.
    """
    hw_col, code_col, exp_col = (_column(header, k) for k in ("hardware", "code", "expires"))
    if hw_col is None or code_col is None:
        missing = "hardware id (e.g. 'MAC id')" if hw_col is None else "verification code"
        return CodeImport((), (RowIssue(1, "header", f"no {missing} column found"),))
    codes: list[ImportedCode] = []
    errors: list[RowIssue] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        def cell(index: int | None, cells: Sequence[str] = cells) -> str:
            return cells[index].strip() if index is not None and index < len(cells) else ""

        raw_id, raw_code = cell(hw_col), cell(code_col)
        if not raw_id and not raw_code:
            continue
        parsed = parse_identifier(raw_id)
        if parsed.identity is None:
            errors.append(RowIssue(number, header[hw_col], parsed.reason or "not a hardware id"))
            continue
        hardware_id = parsed.identity.hardware_id
        if hardware_id not in known:
            errors.append(RowIssue(number, header[hw_col], f"{parsed.identity.dashed} is not a device teams-sip knows"))
            continue
        if not _CODE.match(raw_code):
            errors.append(RowIssue(number, header[code_col], "the code is missing or not 4-16 letters and digits"))
            continue
        generated_after = None
        if cell(exp_col):
            expires = _expiry(cell(exp_col))
        else:
            generated_after = (asked_at or {}).get(hardware_id, received_at)
            expires = generated_after + CODE_VALIDITY
        if expires is None:
            column = header[exp_col] if exp_col is not None else "expiry"
            errors.append(RowIssue(number, column, "the expiry is not a date and time (ISO 8601)"))
            continue
        if hardware_id in seen:
            errors.append(RowIssue(number, header[hw_col], f"{parsed.identity.dashed} also has a code on row "
                                                          f"{seen[hardware_id]}; the later row is ignored"))
            continue
        seen[hardware_id] = number
        codes.append(ImportedCode(number, hardware_id, Secret(raw_code), expires, generated_after))
    return CodeImport(tuple(codes), tuple(errors))
