"""CSV to rows of text: encoding by BOM (UTF-8, UTF-16) or trial (UTF-8, then Windows-1252),
delimiter from Excel's `sep=` line or sniffed, every cell kept as the exact text the admin saved.

The standard csv module (C) reads the file rather than pandas: rows may be ragged (title lines
above the header have fewer cells), and each row is checked against the column and line bounds
as it is read, so a 100,000-column or million-blank-line file is refused or skipped without first
building a frame for it. It is as fast as pandas' C engine on ordinary rosters.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import io
import re
from dataclasses import dataclass

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.options import ImportOptions

DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r'\A"?sep=(.)"?[ \t]*(?:\r\n|\n|\r|\Z)')
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_MIXED = ("the file mixes UTF-8 and Windows-1252 text; it was read as Windows-1252, so some accented letters "
          "may show as two odd characters (such as 'Ã«'). Save it from Excel as 'CSV UTF-8' to be sure.")
_CSV_ERRORS = {"unexpected end of data": "has a quoted cell that is never closed",
               "expected after": "has text right after a closing quote"}


@dataclass(frozen=True, slots=True)
class TextTable:
    rows: list[tuple[int, list[str]]]  # non-empty rows only, numbered as Excel shows them (first row = 1)
    encoding: str
    delimiter: str
    notes: tuple[str, ...] = ()
    # (row, line - row) wherever that difference changes: a `sep=` line or a cell spanning lines
    shifts: tuple[tuple[int, int], ...] = ()
    records: int = 0  # rows read, empty ones included

    def line(self, row: int) -> int:
        """The text line a row starts on, for messages about the file's text (editors count lines)."""
        at = bisect.bisect_right(self.shifts, (row, float("inf"))) - 1
        return row + (self.shifts[at][1] if at >= 0 else 0)


def decode(data: bytes) -> tuple[str, str, tuple[str, ...]]:
    """(text, encoding name, notes). Refuses binary content and bytes no supported encoding explains."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        mixed = encoding == "cp1252" and _UTF8_SEQUENCE.search(data) is not None
        return text, encoding, (_MIXED,) if mixed else ()
    raise ImportRefused(
        "The file is not readable text: save it from Excel as 'CSV UTF-8 (Comma delimited)' or as .xlsx."
    )


def sniff_delimiter(text: str, lines: int = 10) -> str:
    """The delimiter that splits one of the first non-blank lines most often (outside quotes).

    Several lines are looked at because a title line above the header may hold no delimiter at all.
    Comma wins a tie, then semicolon.
    """
    best, most = ",", 0
    seen = 0
    for line in io.StringIO(text[:1_000_000]):
        if not line.strip():
            continue
        unquoted = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
        for d in DELIMITERS:
            count = unquoted.count(d)
            if count > most:
                best, most = d, count
        seen += 1
        if seen >= lines:
            break
    return best


def read_csv(data: bytes, options: ImportOptions) -> TextTable:
    """Non-empty rows, at most `max_rows + header_search_rows + 1` of them, so an oversized file
    costs no more than the cap; empty rows are skipped (up to `max_lines` lines in all)."""
    text, encoding, notes = decode(data)
    sep = _SEP_LINE.match(text)
    offset = 0
    if sep is not None and sep.group(1) not in '"\r\n':
        delimiter, offset = sep.group(1), 1
        text = text[sep.end():]
        notes = (*notes, f"the first line 'sep={delimiter}' sets the delimiter, as in Excel; rows are numbered "
                         "without it")
    else:
        delimiter = sniff_delimiter(text, options.header_search_rows)
    if csv.field_size_limit() < len(text):  # the default (128 KB) would refuse a long but legal cell
        csv.field_size_limit(len(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    keep = options.max_rows + options.header_search_rows + 1
    rows: list[tuple[int, list[str]]] = []
    shifts: list[tuple[int, int]] = []
    row = last_line = shift = 0
    try:
        for row, cells in enumerate(reader, start=1):
            if len(cells) > options.max_columns:
                raise ImportRefused(
                    f"Line {last_line + 1 + offset} has {len(cells):,} columns; a roster may have at most "
                    f"{options.max_columns:,}. Check that the file is a handset roster saved as CSV."
                )
            if row > options.max_lines:
                raise ImportRefused(
                    f"The file has more than {options.max_lines:,} lines, most of them empty; delete the empty "
                    "rows below the roster and save it again."
                )
            if last_line + 1 + offset - row != shift:
                shift = last_line + 1 + offset - row
                shifts.append((row, shift))
            last_line = reader.line_num
            if any(cells) and not "".join(cells).isspace():
                rows.append((row, cells))
                if len(rows) > keep:
                    break
    except csv.Error as exc:
        reason = next((text for key, text in _CSV_ERRORS.items() if key in str(exc)), "has a misplaced quote")
        raise ImportRefused(
            f"The CSV file is malformed: the row starting on line {last_line + 1 + offset} {reason}. "
            "Check that line for a stray '\"', or save the file again from Excel."
        ) from None
    if not rows and not row:
        raise ImportRefused("The file is empty: it needs a header row and one row per handset.")
    return TextTable(rows, encoding, delimiter, notes, tuple(shifts), row)
