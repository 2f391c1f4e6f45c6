"""Spreadsheet formula injection: neutralised in files meant for people, refused in files meant for machines.

A cell that starts with `=`, `+`, `-` or `@` (or a tab/carriage return that Excel strips first) is
run as a formula when someone opens the file in a spreadsheet program. In files people open
(worksheets, rejected rows, reports) an apostrophe is prefixed so Excel shows the text. Files that
a machine reads (the TAC upload's Location, the bulk sign-in CSV's Username) must carry the value
unchanged (`-1 Basement` is a real location), so there the value is checked instead: one that could
run as a formula is refused with a clear error, never altered.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from teams_sip.errors import InputError
from teams_sip.unverified import MACHINE_CSV_VALUES_VERBATIM

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ALWAYS = ("=", "@", "\t", "\r", "\n")  # never a harmless start of a value
# What a formula needs to do harm past a leading sign: a call, a DDE link, a reference to another sheet.
_FORMULA_PARTS = ("(", "|", "!", "=", '"')


class UnsafeCellError(InputError):
    """A value bound for a machine-read CSV would run as a formula if someone opened the file."""


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def machine_cell_problem(cell: str) -> str | None:
    """Why `cell` cannot go unchanged into a machine-read CSV, or None. `-1 Basement` passes;
    `=HYPERLINK(...)`, `@SUM(...)` and `+cmd|'/c calc'!A0` do not."""
    if cell.startswith(_ALWAYS):
        return f"starts with {cell[0]!r}, which a spreadsheet would run as a formula"
    if cell.startswith(("+", "-")) and any(part in cell for part in _FORMULA_PARTS):
        return f"starts with {cell[0]!r} and holds formula syntax, which a spreadsheet would run"
    return None


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text for people, with every cell neutralised; CRLF line ends as Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()


def write_machine_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text for a machine, every value unchanged; raises UnsafeCellError for a value that would
    run as a formula (the caller names the file; the import refuses such site names earlier)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        for column, cell in zip(header, row, strict=True):
            if (reason := machine_cell_problem(cell)) is not None:
                shown = cell[:60].encode("unicode_escape").decode("ascii")
                raise UnsafeCellError(f"{column} value '{shown}' {reason}; it was not written")
        writer.writerow(list(row) if MACHINE_CSV_VALUES_VERBATIM else [neutralise(c) for c in row])
    return buffer.getvalue()
