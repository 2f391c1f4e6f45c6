"""The handset roster: one validated row per spreadsheet line, and the rules across rows.

Input is already text (the importer reads every cell as a string), so these rules are the one
place that decides what a cell means. Every problem names the row as the admin sees it in Excel
(header = row 1) and the column by the admin's own header text. Nothing here raises for a bad
row: rows carry their errors, and only a file that cannot be read at all is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from teams_sip.domain.identifiers import DeviceIdentity, IdKind, parse_identifier
from teams_sip.domain.sites import Region
from teams_sip.errors import InputError


class DateOrder(StrEnum):
    """How to read `03/04/2026`. AUTO follows the file's own unambiguous dates (e.g. `25/03/2026`)."""

    AUTO = "auto"
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True, slots=True)
class DateReading:
    value: date | None
    message: str = ""  # the reason when value is None, else a warning (may be empty)


_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})$")
_NAMED = re.compile(r"^(?:(\d{1,2})[ -]([a-z]{3,9})\.?,?[ -](\d{4})|([a-z]{3,9})\.? (\d{1,2}),? (\d{4}))$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_EXCEL_EPOCH = date(1899, 12, 30)


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _numeric_orders(text: str) -> tuple[bool, bool] | None:
    """Whether `text` reads as a valid day-first and as a valid month-first date; None if not numeric."""
    m = _NUMERIC.match(text)
    if m is None or m.group(2) == "." or len(m.group(4)) != 4:
        return None
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    return _make(y, b, a) is not None, _make(y, a, b) is not None


def infer_order(cells: Iterable[tuple[int, str]]) -> tuple[DateOrder, str]:
    """The file-level rule: if unambiguous dates all point one way, read the ambiguous ones that way too."""
    seen: dict[DateOrder, int] = {}
    for n, text in cells:
        orders = _numeric_orders(text.strip())
        if orders is None or orders[0] == orders[1]:
            continue
        seen.setdefault(DateOrder.DAY_FIRST if orders[0] else DateOrder.MONTH_FIRST, n)
    if len(seen) == 1:
        (order, n), = seen.items()
        return order, f"dates read {order.value} because row {n} can only be read that way"
    if len(seen) == 2:
        return DateOrder.AUTO, (f"dates are mixed: row {seen[DateOrder.DAY_FIRST]} is day-first, row "
                                f"{seen[DateOrder.MONTH_FIRST]} month-first; ambiguous dates are rejected")
    return DateOrder.AUTO, ""


def read_date(text: str, order: DateOrder) -> DateReading:
    """ISO, real Excel dates, `D.M.YYYY` (always day-first), `12 Mar 2026`, and D/M vs M/D per `order`."""
    t = text.strip().lower()
    if m := _ISO.match(t):
        value = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return DateReading(value, "" if value else f"'{text}' is not a real date")
    if m := _NAMED.match(t):
        day, name, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        month = _MONTHS.get(name[:3])
        value = _make(int(year), month, int(day)) if month else None
        return DateReading(value, "" if value else f"'{text}' is not a real date")
    if t.isdigit() and 20000 <= int(t) <= 80000:
        value = _EXCEL_EPOCH + timedelta(days=int(t))
        return DateReading(value, f"'{text}' read as an Excel date number: {value.isoformat()}")
    m = _NUMERIC.match(t)
    if m is None:
        return DateReading(None, f"'{text}' is not a date; write it as YYYY-MM-DD")
    if len(m.group(4)) != 4:
        return DateReading(None, f"'{text}': write the year with four digits, or use YYYY-MM-DD")
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if m.group(2) == ".":
        value = _make(y, b, a)
        return DateReading(value, "" if value else f"'{text}' is not a real date")
    day_first, month_first = _make(y, b, a), _make(y, a, b)
    if order is DateOrder.DAY_FIRST or (day_first and not month_first):
        value = day_first
    elif order is DateOrder.MONTH_FIRST or (month_first and not day_first):
        value = month_first
    elif day_first == month_first:
        value = day_first
    else:
        return DateReading(None, f"'{text}' could be {day_first} or {month_first}; write YYYY-MM-DD "
                                 "or choose day-first or month-first for the file")
    return DateReading(value, "" if value else f"'{text}' is not a real date when read {order.value}")


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


@dataclass(frozen=True, slots=True)
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


_UPN = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
)


def check_upn(text: str) -> tuple[str | None, str | None]:
    """(lower-cased UPN, None) or (None, reason). Entra caps a UPN at 113 characters, 64 before the @."""
    upn = text.strip().lower()
    if not upn:
        return None, "no user principal name"
    if len(upn) > 113 or len(upn.split("@")[0]) > 64:
        return None, f"'{text.strip()}' is too long for a user principal name"
    if not _UPN.match(upn):
        return None, f"'{text.strip()}' is not a user principal name like name@contoso.com"
    return upn, None


def validate_rows(
    columns: Sequence[tuple[Field, str]],
    rows: Iterable[tuple[int, Sequence[str]]],
    date_order: DateOrder = DateOrder.AUTO,
) -> tuple[tuple[HandsetRow, ...], DateOrder, tuple[str, ...]]:
    """Validate every row (cells aligned with `columns`), then apply the cross-row rules.

    Returns the rows, the date order actually used and file-level notes. Pure and deterministic.
    """
    rows = list(rows)
    index = {f: i for i, (f, _) in enumerate(columns)}
    header = dict(columns)
    notes: list[str] = []
    resolved = date_order
    if date_order is DateOrder.AUTO and Field.INSTALL_DATE in index:
        at = index[Field.INSTALL_DATE]
        resolved, note = infer_order((n, cells[at]) for n, cells in rows)
        if note:
            notes.append(note)
    built = [_row(n, cells, index, header, resolved) for n, cells in rows]
    id_label = " / ".join(header[f] for f in IDENTIFIER_FIELDS if f in header) or "Hardware ID"
    return _cross_row(built, id_label), resolved, tuple(notes)


def _row(n: int, cells: Sequence[str], index: dict[Field, int], header: dict[Field, str],
         order: DateOrder) -> HandsetRow:
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []

    def cell(f: Field) -> str:
        i = index.get(f)
        return cells[i].strip() if i is not None else ""

    identity = _identity(n, cells, index, header, errors, warnings)
    upn_text = cell(Field.UPN)
    upn, reason = check_upn(upn_text)
    if reason:
        errors.append(RowIssue(n, header.get(Field.UPN, "UPN"), reason))
    site = cell(Field.SITE)
    if not site:
        errors.append(RowIssue(n, header.get(Field.SITE, "Site"), "no site: TAC needs a location for every device"))
    install = None
    date_text = cell(Field.INSTALL_DATE)
    if date_text:
        reading: DateReading = read_date(date_text, order)
        if reading.value is None:
            errors.append(RowIssue(n, header[Field.INSTALL_DATE], reading.message))
        else:
            install = reading.value
            if reading.message:
                warnings.append(RowIssue(n, header[Field.INSTALL_DATE], reading.message))
    else:
        warnings.append(RowIssue(n, header.get(Field.INSTALL_DATE, "Install date"),
                                 "no install date: verification codes cannot be scheduled until one is set"))
    region = None
    region_text = cell(Field.REGION)
    if region_text:
        region = Region.parse(region_text)
        if region is None:
            errors.append(RowIssue(n, header[Field.REGION], f"'{region_text}' is not a region: use APAC, EMEA or NOAM"))
    account_text = cell(Field.ACCOUNT_TYPE)
    account = _ACCOUNT_ALIASES.get(re.sub(r"[\s_-]", "", account_text.lower()))
    if account is None:
        errors.append(RowIssue(n, header[Field.ACCOUNT_TYPE],
                               f"'{account_text}' is not an account type: use personal or common-area"))
        account = AccountType.PERSONAL
    return HandsetRow(
        row=n, identity=identity, upn=upn, display_name=cell(Field.DISPLAY_NAME), site=site,
        install_date=install, region=region, account_type=account, model=cell(Field.MODEL),
        handset_firmware=cell(Field.HANDSET_FIRMWARE), base_firmware=cell(Field.BASE_FIRMWARE),
        time_zone=cell(Field.TIME_ZONE), site_contact=cell(Field.SITE_CONTACT),
        errors=tuple(errors), warnings=tuple(warnings),
    )


def _identity(n: int, cells: Sequence[str], index: dict[Field, int], header: dict[Field, str],
              errors: list[RowIssue], warnings: list[RowIssue]) -> DeviceIdentity | None:
    """One identity from the identifier columns present; two that disagree are an error."""
    found: list[tuple[str, DeviceIdentity]] = []
    for f in IDENTIFIER_FIELDS:
        i = index.get(f)
        if i is None or not cells[i].strip():
            continue
        result = parse_identifier(cells[i], _DECLARED[f])
        warnings.extend(RowIssue(n, header[f], w) for w in result.warnings)
        if result.identity is None:
            errors.append(RowIssue(n, header[f], result.reason or "invalid identifier"))
        else:
            found.append((header[f], result.identity))
    if not found:
        if not any(e.column in {header.get(f) for f in IDENTIFIER_FIELDS} for e in errors):
            name = " or ".join(header[f] for f in IDENTIFIER_FIELDS if f in header) or "IPEI or MAC"
            errors.append(RowIssue(n, name, "no handset identifier"))
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
    info = replace(info, date_order=resolved, notes=(*info.notes, *notes))
    return ImportResult(rows=checked, info=info, summary=summarise(checked, info.skipped_empty_rows))
