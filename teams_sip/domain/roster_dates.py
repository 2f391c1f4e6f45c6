"""Install dates as admins write them: ISO, real Excel dates, `16.03.2026`, `12 Mar 2026`, and the
ambiguous `03/04/2026`, which is read by the file's own evidence or an explicit option, never guessed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from teams_sip.domain.identifiers import quoted


class DateOrder(StrEnum):
    """How to read `03/04/2026`. AUTO follows the file's own unambiguous dates (e.g. `25/03/2026`)."""

    AUTO = "auto"
    DAY_FIRST = "day-first"
    MONTH_FIRST = "month-first"


@dataclass(frozen=True, slots=True)
class DateReading:
    value: date | None
    message: str = ""  # the reason when value is None, else a warning (may be empty)


_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII)
_NUMERIC = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{2,4})$")
_NAMED = re.compile(r"^(?:([0-9]{1,2})[ -]([a-z]{3,9})\.?,?[ -]([0-9]{4})|([a-z]{3,9})\.? ([0-9]{1,2}),? ([0-9]{4}))$")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_EXCEL_EPOCH = date(1899, 12, 30)


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
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
        if value is None:
            return DateReading(None, f"{quoted(text)} is not a real date")
        if len(m.group(2)) == 1 or len(m.group(3)) == 1:  # `2026-03-1` may be `2026-03-1x` with a digit lost
            return DateReading(value, f"{quoted(text)} read as {value.isoformat()}; check that no digit is "
                                      "missing (write YYYY-MM-DD)")
        return DateReading(value)
    if m := _NAMED.match(t):
        day, name, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        month = _MONTHS.get(name[:3])
        value = _make(int(year), month, int(day)) if month else None
        return DateReading(value, "" if value else f"{quoted(text)} is not a real date")
    if t.isascii() and t.isdigit() and 20000 <= int(t) <= 80000:
        value = _EXCEL_EPOCH + timedelta(days=int(t))
        return DateReading(value, f"{quoted(text)} read as an Excel date number: {value.isoformat()}")
    m = _NUMERIC.match(t)
    if m is None:
        return DateReading(None, f"{quoted(text)} is not a date; write it as YYYY-MM-DD")
    if len(m.group(4)) != 4:
        return DateReading(None, f"{quoted(text)}: write the year with four digits, or use YYYY-MM-DD")
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    if m.group(2) == ".":
        value = _make(y, b, a)
        return DateReading(value, "" if value else f"{quoted(text)} is not a real date")
    day_first, month_first = _make(y, b, a), _make(y, a, b)
    if order is DateOrder.DAY_FIRST:  # an explicit choice is applied strictly: 03/25 then is an error
        value = day_first
    elif order is DateOrder.MONTH_FIRST:
        value = month_first
    elif day_first and not month_first:
        value = day_first
    elif month_first and not day_first:
        value = month_first
    elif day_first == month_first:
        value = day_first
    else:
        return DateReading(None, f"{quoted(text)} could be {day_first} or {month_first}; write YYYY-MM-DD "
                                 "or choose day-first or month-first for the file")
    return DateReading(value, "" if value else f"{quoted(text)} is not a real date when read {order.value}")
