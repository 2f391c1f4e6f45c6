"""The real extent of a worksheet, measured from its XML before calamine allocates a grid for it.

calamine sizes its cell grid from the highest row and column any cell names (`<c r="XFD100000">`),
not from the `<dimension>` tag, which is optional and may lie. One far cell in a 500-byte file then
costs tens of GB and the allocator aborts the process. So the sheet XML is scanned here, in
segments with `re` (C speed, ~0.2 s for a 20 MB sheet), for every `r="..."` reference.

The scan is deliberately conservative: any `r = '...'` spelling quick-xml accepts (either quote,
spaces around `=`, lower-case letters, namespace prefixes) is counted, and a cell or row written
without `r` (its position then follows the previous one) sends the scan to a slower exact walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

SEGMENT = 4 * 1024 * 1024  # bytes of XML per regex pass, so match lists stay small

# Any attribute named r with a value that starts like a cell reference. The fast form (literal prefix
# "r") also catches names ending in r and text such as Manager="Bob"; only when that loose reading
# exceeds a bound is the sheet measured again with the strict form (r preceded by space or quote).
_REF = re.compile(rb"""r\s*=\s*["']([A-Za-z]*)([0-9]*)""")
_STRICT_REF = re.compile(rb"""[\s"']r\s*=\s*["']([A-Za-z]*)([0-9]*)""")
# Start tags of rows and cells, with or without a namespace prefix; quoted values may hold '>'.
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(c|row)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
# A row or cell start tag without an r attribute (closing at once, or no ` r=` before its '>').
_NO_REF = re.compile(rb"""<(?:[\w.-]+:)?(c|row)(?:\s*/?>|(?=\s)(?![^>]*?[\s"']r\s*=))""")
_TAG_R = re.compile(rb"""(?:^|[\s"'])r\s*=\s*["']([A-Za-z]*)([0-9]*)""")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")


@dataclass(frozen=True, slots=True)
class Extent:
    rows: int  # highest row number any cell can land on (1-based; 0 for an empty sheet)
    columns: int  # highest column number (A = 1)

    @property
    def column_letters(self) -> str:
        n, out = self.columns, ""
        while n:
            n, rem = divmod(n - 1, 26)
            out = chr(65 + rem) + out
        return out or "A"


HUGE = 10**9  # stands for any reference too long to be real (and keeps int() off megabyte digit strings)


def column_number(letters: bytes) -> int:
    if len(letters) > 4:
        return HUGE
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def row_number(digits: bytes) -> int:
    return int(digits) if len(digits) <= 9 else HUGE


def _cell_area(xml: bytes) -> tuple[int, int]:
    """(start, end) of the sheetData element: calamine reads cells only there."""
    start = _SHEET_DATA.search(xml)
    if start is None:
        return 0, len(xml)  # no sheetData we recognise: scan everything rather than nothing
    ends = [m.end() for m in _SHEET_DATA_END.finditer(xml, start.end())]
    return start.start(), ends[-1] if ends else len(xml)


def _segments(xml: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Split at '<' so no attribute is cut in two (a reference never contains '<')."""
    out = []
    while start < end:
        stop = min(start + SEGMENT, end)
        if stop < end:
            cut = xml.find(b"<", stop, end)
            stop = end if cut < 0 else cut
        out.append((start, stop))
        start = stop
    return out


def sheet_extent(xml: bytes, fits: Callable[[Extent], bool]) -> Extent:
    """Highest row and column a reader can place a cell on, counting every reference it may use.

    `fits` is the caller's bound: a loose reading that fits is final; one that does not is redone strictly.
    """
    start, end = _cell_area(xml)
    segments = _segments(xml, start, end)
    extent = _references(xml, segments, _REF)
    if not fits(extent):
        extent = _references(xml, segments, _STRICT_REF)
    unplaced = [kind for a, b in segments for kind in _NO_REF.findall(xml, a, b)]
    if not unplaced:
        return extent
    # Some row or cell has no r: its position follows the one before it. Each can push the extent
    # out by at most one; if even that fits, no exact walk is needed.
    rows = sum(1 for kind in unplaced if kind == b"row")
    loose = Extent(extent.rows + rows, extent.columns + len(unplaced) - rows)
    if fits(loose):
        return loose
    walked = _walk(xml, start, end, fits)
    return Extent(max(extent.rows, walked.rows), max(extent.columns, walked.columns))


def _references(xml: bytes, segments: list[tuple[int, int]], pattern: re.Pattern[bytes]) -> Extent:
    max_row = max_col = 0
    letters: set[bytes] = set()
    for a, b in segments:
        found = pattern.findall(xml, a, b)
        letters.update(col for col, _ in found)
        numbers = {row for _, row in found if row}
        if numbers:
            max_row = max(max_row, max(map(row_number, numbers)))
    if letters:
        max_col = max(map(column_number, letters))
    return Extent(max_row, max_col)


def _walk(xml: bytes, start: int, end: int, fits: Callable[[Extent], bool]) -> Extent:
    """calamine's own placement rule, tag by tag: a row without r follows the previous row, a cell
    without r sits right of the previous cell. Slow (a Python step per tag), so only for writers that
    omit r on many cells, and it stops as soon as the extent no longer fits."""
    row = col = max_row = max_col = 0
    for i, tag in enumerate(_TAG.finditer(xml, start, end)):
        if i % 4096 == 0 and not fits(Extent(max_row, max_col)):
            break
        ref = _TAG_R.search(tag.group(2))
        if tag.group(1) == b"row":
            row = row_number(ref.group(2)) if ref and ref.group(2) else row + 1
            col = 0
            max_row = max(max_row, row)
            continue
        if ref and (ref.group(1) or ref.group(2)):
            col = column_number(ref.group(1)) if ref.group(1) else col + 1
            row_here = row_number(ref.group(2)) if ref.group(2) else row
        else:
            col, row_here = col + 1, row
        max_row, max_col = max(max_row, row_here), max(max_col, col)
    return Extent(max_row, max_col)


_STRING_ITEM = re.compile(rb"<(?:[\w.-]+:)?si(?=[\s>/])")
CHUNK = 1024 * 1024


def shared_strings_problem(part: IO[bytes], max_count: int, max_bytes: int, max_string: int) -> str | None:
    """Why a sharedStrings part is beyond the bounds, or None, read in chunks so a refusal costs at
    most the bound: calamine keeps every shared string in memory before the first cell is read,
    so a 150 MB string in a small zip costs several times that (the grid bound cannot see it)."""
    total = count = 0
    last = 0  # offset of the latest <si>: the text since then belongs to one string
    tail = b""
    while chunk := part.read(CHUNK):
        if not total and (declared := _declared_count(chunk)) > max_count:
            # calamine reserves room for the declared count first: 2,000,000,000 aborts the process
            return f"it declares {declared:,} texts, more than {max_count:,}"
        data, base = tail + chunk, total - len(tail)
        total += len(chunk)
        if total > max_bytes:
            return f"its text cells hold more than {max_bytes // (1024 * 1024):,} MB of text"
        for match in _STRING_ITEM.finditer(data):
            at = base + match.start()
            if at <= last and count:
                continue  # found again in the carried tail
            if count and at - last > max_string:
                return _long_string(max_string)
            count, last = count + 1, at
        if count > max_count:
            return f"it holds more than {max_count:,} distinct texts"
        if count and total - last > max_string:
            return _long_string(max_string)
        tail = data[-8:]
    return None


_SST_TAG = re.compile(rb"<(?:[\w.-]+:)?sst\b[^>]*>")
_COUNT = re.compile(rb"""(?:^|[\s"'])(?:uniqueCount|count)\s*=\s*["']\s*([0-9]+)""")


def _declared_count(head: bytes) -> int:
    """The larger of the `count` and `uniqueCount` the part's opening tag declares (0 if none)."""
    tag = _SST_TAG.search(head, 0, 65536)
    if tag is None:
        return 0
    found = [int(d) if len(d) <= 12 else 10**12 for d in _COUNT.findall(tag.group(0))]
    return max(found, default=0)


def _long_string(max_string: int) -> str:
    return (f"one cell holds more than {max_string // 1024:,} KB of text, beyond what Excel allows in a cell "
            "(32,767 characters)")
