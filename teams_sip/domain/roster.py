"""The handset roster: one validated row per spreadsheet line, and the rules across rows.

Input is already text (the importer reads every cell as a string), so these rules are the one
place that decides what a cell means. Every problem names the row as the admin sees it in Excel
(header = row 1) and the column by the admin's own header text. Nothing here raises for a bad
row: rows carry their errors, and only a file that cannot be read at all is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from teams_sip.domain.identifiers import DeviceIdentity, IdKind, excerpt, parse_identifier, quoted
from teams_sip.domain.readiness.minimum_firmware import Severity, firmware_findings
from teams_sip.domain.roster_dates import DateOrder as DateOrder  # re-exported: callers pick the date rule here
from teams_sip.domain.roster_dates import infer_order, read_date
from teams_sip.domain.roster_text import MAX_SITE_NAME as MAX_SITE_NAME  # re-exported
from teams_sip.domain.roster_text import check_upn as check_upn  # re-exported: callers check UPNs here
from teams_sip.domain.roster_text import one_line, site_name_problem
from teams_sip.domain.sites import Region
from teams_sip.errors import InputError


class ImportRefused(InputError):  # noqa: N818 - the name the other issues use
    """The whole file is unusable (format, size, missing columns, unsafe workbook); nothing was imported."""


class Field(StrEnum):
    """What a column holds, whatever the admin called it."""

    IPEI = "ipei"
    MAC = "mac"
    DEVICE_ID = "device_id"  # an identifier column that does not say which kind
    UPN = "upn"
    DISPLAY_NAME = "display_name"
    SITE = "site"
    INSTALL_DATE = "install_date"
    REGION = "region"
    ACCOUNT_TYPE = "account_type"
    MODEL = "model"
    HANDSET_FIRMWARE = "handset_firmware"
    BASE_FIRMWARE = "base_firmware"
    TIME_ZONE = "time_zone"
    SITE_CONTACT = "site_contact"


IDENTIFIER_FIELDS = (Field.IPEI, Field.MAC, Field.DEVICE_ID)
_DECLARED = {Field.IPEI: IdKind.IPEI, Field.MAC: IdKind.MAC, Field.DEVICE_ID: None}


class AccountType(StrEnum):
    PERSONAL = "personal"
    COMMON_AREA = "common-area"


_ACCOUNT_ALIASES = {"": AccountType.PERSONAL, "personal": AccountType.PERSONAL, "user": AccountType.PERSONAL,
                    "commonarea": AccountType.COMMON_AREA, "commonareaphone": AccountType.COMMON_AREA,
                    "shared": AccountType.COMMON_AREA, "cap": AccountType.COMMON_AREA}


class RowStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class RowIssue:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"


@dataclass(slots=True)  # not frozen: frozen construction costs ~3x, felt at 100,000 rows; treat as read-only
class HandsetRow:
    row: int
    identity: DeviceIdentity | None
    upn: str | None
    display_name: str = ""
    site: str = ""
    install_date: date | None = None
    region: Region | None = None
    account_type: AccountType = AccountType.PERSONAL
    model: str = ""
    handset_firmware: str = ""
    base_firmware: str = ""
    time_zone: str = ""
    site_contact: str = ""
    errors: tuple[RowIssue, ...] = ()
    warnings: tuple[RowIssue, ...] = ()
    duplicate_of: int | None = None  # same handset and user as an earlier row: one device, not two

    @property
    def status(self) -> RowStatus:
        return RowStatus.REJECTED if self.errors else RowStatus.ACCEPTED

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"row": self.row, "status": self.status.value}
        if self.status is RowStatus.ACCEPTED and self.identity is not None:
            out["hardware_id"] = self.identity.hardware_id
        out["errors"] = [{"column": i.column, "message": i.message} for i in self.errors]
        out["warnings"] = [{"column": i.column, "message": i.message} for i in self.warnings]
        return out


@dataclass(frozen=True, slots=True)
class FileInfo:
    """How the file was read, so the admin can see what was matched and what was ignored."""

    filename: str
    format: str  # "csv" or "xlsx"
    columns: tuple[tuple[Field, str], ...]  # field and the header text it was matched from
    ignored_columns: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    skipped_empty_rows: int = 0
    date_order: DateOrder = DateOrder.AUTO
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A whole file's outcome. It exists only complete: a refused file raises ImportRefused instead."""

    rows: tuple[HandsetRow, ...]
    info: FileInfo
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def accepted(self) -> tuple[HandsetRow, ...]:
        """Accepted rows, one per device (repeats of the same handset and user left out)."""
        return tuple(r for r in self.rows if r.status is RowStatus.ACCEPTED and r.duplicate_of is None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": {
                "filename": self.info.filename, "format": self.info.format, "sheet": self.info.sheet,
                "encoding": self.info.encoding, "delimiter": self.info.delimiter,
                "columns": {f.value: header for f, header in self.info.columns},
                "ignored_columns": list(self.info.ignored_columns), "date_order": self.info.date_order.value,
                "notes": list(self.info.notes),
            },
            "rows": [r.as_dict() for r in self.rows],
            "summary": dict(self.summary),
        }


def validate_rows(
    columns: Sequence[tuple[Field, str]],
    rows: Iterable[tuple[int, Sequence[str]]],
    date_order: DateOrder = DateOrder.AUTO,
) -> tuple[tuple[HandsetRow, ...], DateOrder, tuple[str, ...]]:
    """Validate every row (cells aligned with `columns`), then apply the cross-row rules.

    Returns the rows, the date order actually used and file-level notes. Pure and deterministic.
    """
    rows = list(rows)
    layout = _Layout(columns)
    notes: list[str] = []
    resolved = date_order
    if date_order is DateOrder.AUTO and layout.date >= 0:
        resolved, note = infer_order((n, cells[layout.date]) for n, cells in rows)
        if note:
            notes.append(note)
    built = [_row(n, cells, layout, resolved) for n, cells in rows]
    return _cross_row(built, layout.id_label), resolved, tuple(notes)


class _Layout:
    """Column positions (-1 when absent) and header texts, resolved once per file, not once per row."""

    def __init__(self, columns: Sequence[tuple[Field, str]]) -> None:
        index = {f: i for i, (f, _) in enumerate(columns)}
        self.header = header = dict(columns)
        self.ids = tuple((index[f], _DECLARED[f], header[f]) for f in IDENTIFIER_FIELDS if f in index)
        self.id_label = " / ".join(h for _, _, h in self.ids) or "Hardware ID"
        self.no_id = " or ".join(h for _, _, h in self.ids) or "IPEI or MAC"
        pos = {f: index.get(f, -1) for f in Field}
        self.upn, self.site, self.date = pos[Field.UPN], pos[Field.SITE], pos[Field.INSTALL_DATE]
        self.region, self.account = pos[Field.REGION], pos[Field.ACCOUNT_TYPE]
        self.extra = tuple((f.value, pos[f]) for f in _EXTRA_TEXT if pos[f] >= 0)
        self.h_upn, self.h_site = header.get(Field.UPN, "UPN"), header.get(Field.SITE, "Site")
        self.h_date = header.get(Field.INSTALL_DATE, "Install date")
        self.h_region, self.h_account = header.get(Field.REGION, "Region"), header.get(Field.ACCOUNT_TYPE, "")


_EXTRA_TEXT = (Field.DISPLAY_NAME, Field.MODEL, Field.HANDSET_FIRMWARE, Field.BASE_FIRMWARE, Field.TIME_ZONE,
               Field.SITE_CONTACT)


def _row(n: int, cells: Sequence[str], lay: _Layout, order: DateOrder) -> HandsetRow:
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    identity = _identity(n, cells, lay, errors, warnings)
    upn, reason = check_upn(cells[lay.upn] if lay.upn >= 0 else "")
    if reason:
        errors.append(RowIssue(n, lay.h_upn, reason))
    site, joined = one_line(cells[lay.site] if lay.site >= 0 else "")
    if joined:
        warnings.append(RowIssue(n, lay.h_site, joined))
    if not site:
        errors.append(RowIssue(n, lay.h_site, "no site: TAC needs a location for every device"))
    elif problem := site_name_problem(site):
        errors.append(RowIssue(n, lay.h_site, problem))
    install = None
    if date_text := (cells[lay.date].strip() if lay.date >= 0 else ""):
        reading = _read_date_cached(date_text, order)
        if reading.value is None:
            errors.append(RowIssue(n, lay.h_date, reading.message))
        else:
            install = reading.value
            if reading.message:
                warnings.append(RowIssue(n, lay.h_date, reading.message))
    else:
        warnings.append(RowIssue(n, lay.h_date, "no install date: verification codes cannot be scheduled "
                                 "until one is set"))
    region = None
    if region_text := (cells[lay.region].strip() if lay.region >= 0 else ""):
        region = _region_cached(region_text)
        if region is None:
            errors.append(RowIssue(n, lay.h_region, f"{quoted(region_text)} is not a region: use APAC, EMEA or NOAM"))
    account_text = cells[lay.account].strip() if lay.account >= 0 else ""
    account = _account_cached(account_text)
    if account is None:
        errors.append(RowIssue(n, lay.h_account, f"{quoted(account_text)} is not an account type: "
                               "use personal or common-area"))
        account = AccountType.PERSONAL
    row = HandsetRow(row=n, identity=identity, upn=upn, site=site, install_date=install, region=region,
                     account_type=account, errors=tuple(errors), warnings=tuple(warnings))
    for name, i in lay.extra:
        setattr(row, name, cells[i].strip())
    if "\n" in row.display_name or "\r" in row.display_name or "\u2028" in row.display_name:
        row.display_name, joined = one_line(row.display_name)
        if joined:
            row.warnings = (*row.warnings, RowIssue(n, lay.header.get(Field.DISPLAY_NAME, "Display name"), joined))
    return row


# Dates, regions and account types repeat across thousands of rows; the answers are pure, so cache them.
_read_date_cached = lru_cache(maxsize=4096)(read_date)
_region_cached = lru_cache(maxsize=256)(Region.parse)


@lru_cache(maxsize=256)
def _account_cached(text: str) -> AccountType | None:
    return _ACCOUNT_ALIASES.get(re.sub(r"[\s_-]", "", text.lower()))


def _identity(n: int, cells: Sequence[str], lay: _Layout, errors: list[RowIssue],
              warnings: list[RowIssue]) -> DeviceIdentity | None:
    """One identity from the identifier columns present; two that disagree are an error."""
    found: list[tuple[str, DeviceIdentity]] = []
    failed = False
    for i, declared, header in lay.ids:
        text = cells[i]
        if not text or text.isspace():
            continue
        result = parse_identifier(text, declared)
        if result.warnings:
            warnings.extend(RowIssue(n, header, w) for w in result.warnings)
        if result.identity is None:
            errors.append(RowIssue(n, header, result.reason or "invalid identifier"))
            failed = True
        else:
            found.append((header, result.identity))
    if not found:
        if not failed:
            errors.append(RowIssue(n, lay.no_id, "no handset identifier"))
        return None
    first_col, first = found[0]
    for col, other in found[1:]:
        if other.hardware_id != first.hardware_id:
            errors.append(RowIssue(n, col, f"{other.dashed} does not match {first_col} {first.dashed}"))
            return None
    return first


def _cross_row(rows: list[HandsetRow], column: str) -> tuple[HandsetRow, ...]:
    """Same handset + same user: one device, warned. Same handset + two users: error on every such row."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        if r.identity is not None and r.upn is not None:
            groups.setdefault(r.identity.hardware_id, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        users = {rows[i].upn for i in members}
        for i in members:
            r = rows[i]
            if len(users) > 1:
                others = ", ".join(f"{rows[j].upn} (row {rows[j].row})" for j in members if rows[j].upn != r.upn)
                issue = RowIssue(r.row, column, f"handset {r.identity.dashed if r.identity else ''} "
                                 f"is also assigned to {others}; a handset can belong to one user only")
                rows[i] = replace(r, errors=(*r.errors, issue))
            elif i != members[0]:
                first = rows[members[0]].row
                issue = RowIssue(r.row, column, f"same handset and user as row {first}; counted once")
                rows[i] = replace(r, warnings=(*r.warnings, issue), duplicate_of=first)
    return tuple(rows)


def summarise(rows: Sequence[HandsetRow], skipped_empty: int) -> dict[str, int]:
    accepted = [r for r in rows if r.status is RowStatus.ACCEPTED]
    return {
        "rows": len(rows),
        "accepted": len(accepted),
        "rejected": len(rows) - len(accepted),
        "with_warnings": sum(1 for r in rows if r.warnings),
        "devices": len({r.identity.hardware_id for r in accepted if r.identity is not None}),
        "duplicates": sum(1 for r in accepted if r.duplicate_of is not None),
        "skipped_empty": skipped_empty,
    }


def build_result(info: FileInfo, columns: Sequence[tuple[Field, str]], rows: Iterable[tuple[int, Sequence[str]]],
                 date_order: DateOrder = DateOrder.AUTO) -> ImportResult:
    """The single way to make an ImportResult: validation, cross-row rules and summary together."""
    checked, resolved, notes = validate_rows(columns, rows, date_order)
    checked = _with_firmware_findings(checked, dict(columns))
    info = replace(info, date_order=resolved, notes=(*info.notes, *notes))
    return ImportResult(rows=checked, info=info, summary=summarise(checked, info.skipped_empty_rows))


def _with_firmware_findings(rows: Sequence[HandsetRow], headers: Mapping[Field, str]) -> tuple[HandsetRow, ...]:
    """DECT rows with model or firmware columns are checked against the minimum-firmware table before
    any code is issued; below the minimum is an error, an unknown model a warning (never a silent pass).
    Desk phones (MAC rows) are outside the DECT table and are not checked."""
    column = headers.get(Field.MODEL) or headers.get(Field.HANDSET_FIRMWARE) or headers.get(Field.BASE_FIRMWARE)
    if column is None:
        return tuple(rows)
    out = []
    for r in rows:
        if r.identity is None or r.identity.kind is not IdKind.IPEI:
            out.append(r)
            continue
        findings = firmware_findings(r.model, r.handset_firmware, r.base_firmware)
        # the firmware table quotes model and version cells whole: cap what it says, as for every other cell
        errors = tuple(RowIssue(r.row, column, excerpt(f.message, 400)) for f in findings
                       if f.severity is Severity.ERROR)
        warnings = tuple(RowIssue(r.row, column, excerpt(f.message, 400)) for f in findings
                         if f.severity is Severity.WARNING)
        out.append(replace(r, errors=(*r.errors, *errors), warnings=(*r.warnings, *warnings)) if findings else r)
    return tuple(out)
