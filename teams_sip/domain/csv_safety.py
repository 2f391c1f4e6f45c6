"""Spreadsheet formula injection guard for every CSV the service writes.

A cell that starts with `=`, `+`, `-` or `@` (or a tab/carriage return that Excel strips first) is
run as a formula when an admin opens the file. Prefixing an apostrophe makes Excel show it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(_TRIGGERS) else cell


def write_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text with every cell neutralised; CRLF line ends as Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
