"""The real extent of .xls, .xlsb and .ods sheets, measured before calamine allocates a grid.

As for .xlsx (sheet_bounds), calamine sizes a sheet's grid from the furthest cell any record
names, so one far cell in a tiny file costs gigabytes. Here the records are walked directly: the
BIFF8 cell records of an .xls (inside its OLE compound file), the BIFF12 row and cell records of
an .xlsb, and the row/column repeat counts of an .ods. Each walk stops as soon as the bound is
passed, and every number read from the file is checked before it is used as an offset.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from teams_sip.importing.options import ImportOptions
from teams_sip.importing.sheet_bounds import Extent

_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class XlsFacts:
    extent: Extent | None  # None: no workbook stream
    encrypted: bool = False
    macros: bool = False
    strings: int = 0  # distinct texts the SST record declares
    hidden: tuple[tuple[tuple[int, ...], bool], ...] = ()  # per sheet, in workbook order: hidden rows, filter


class _Compound:
    """Just enough of the OLE compound file format to read one stream, defensively."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        if self.size not in (512, 4096) or self.mini_size != 64:
            raise ValueError("unexpected sector size")
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.fat = self._fat()
        self.entries = self._directory(struct.unpack_from("<I", data, 0x30)[0])

    def _sector(self, n: int) -> bytes:
        start = (n + 1) * self.size
        if start >= len(self.data):
            raise ValueError("sector out of range")
        return self.data[start : start + self.size]

    def _fat(self) -> list[int]:
        difat = [s for s in struct.unpack_from("<109I", self.data, 0x4C) if s not in (_FREE, _END_OF_CHAIN)]
        next_difat, count = struct.unpack_from("<II", self.data, 0x44)
        per = self.size // 4
        for _ in range(min(count, len(self.data) // self.size)):
            if next_difat in (_FREE, _END_OF_CHAIN):
                break
            values = struct.unpack(f"<{per}I", self._sector(next_difat).ljust(self.size, b"\xff"))
            difat += [s for s in values[:-1] if s not in (_FREE, _END_OF_CHAIN)]
            next_difat = values[-1]
        fat: list[int] = []
        for sector in difat[: len(self.data) // self.size + 1]:
            fat += struct.unpack(f"<{per}I", self._sector(sector).ljust(self.size, b"\xff"))
        return fat

    def _chain(self, start: int, table: list[int]) -> list[int]:
        chain: list[int] = []
        while start not in (_END_OF_CHAIN, _FREE) and start < len(table) and len(chain) <= len(table):
            chain.append(start)
            start = table[start]
        return chain

    def _directory(self, start: int) -> list[tuple[str, int, int, int]]:
        raw = b"".join(self._sector(s) for s in self._chain(start, self.fat))
        entries = []
        for at in range(0, len(raw) - 127, 128):
            length = min(struct.unpack_from("<H", raw, at + 64)[0], 64)
            name = raw[at : at + max(length - 2, 0)].decode("utf-16-le", "replace")
            kind = raw[at + 66]
            first, size = struct.unpack_from("<IQ", raw, at + 116)
            entries.append((name, kind, first, size & 0xFFFFFFFF))
        return entries

    def names(self) -> set[str]:
        return {name for name, kind, _, _ in self.entries if kind in (1, 2)}

    def stream(self, wanted: str, limit: int) -> bytes | None:
        for name, kind, first, size in self.entries:
            if kind == 2 and name == wanted:
                size = min(size, limit)
                if size < self.cutoff:
                    return self._mini(first, size)
                return b"".join(self._sector(s) for s in self._chain(first, self.fat))[:size]
        return None

    def _mini(self, first: int, size: int) -> bytes:
        root_first = self.entries[0][2] if self.entries else _END_OF_CHAIN
        ministream = b"".join(self._sector(s) for s in self._chain(root_first, self.fat))
        start = struct.unpack_from("<I", self.data, 0x3C)[0]
        raw = b"".join(self._sector(s) for s in self._chain(start, self.fat))
        minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))
        out = b"".join(ministream[s * 64 : s * 64 + 64] for s in self._chain(first, minifat))
        return out[:size]


# BIFF8 records that place a cell: row (2 bytes) and column (2 bytes) open their data.
_CELL_RECORDS = frozenset({0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6, 0x0201})
_MULTI_RECORDS = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: row, first column ... last column
_FILEPASS, _SST, _BOF, _BOUNDSHEET, _ROW, _AUTOFILTERINFO = 0x002F, 0x00FC, 0x0809, 0x0085, 0x0208, 0x009D
_ROW_HIDDEN = 0x0020  # fDyZero in the ROW record's flags: the row is hidden (by hand or by a filter)


def xls_facts(data: bytes) -> XlsFacts:
    """What the checks need from an .xls: its furthest cell, password, macros, declared texts."""
    try:
        compound = _Compound(data)
        names = compound.names()
        if {"EncryptionInfo", "EncryptedPackage"} & names:
            return XlsFacts(None, encrypted=True)
        stream = compound.stream("Workbook", len(data)) or compound.stream("Book", len(data))
    except (ValueError, struct.error, IndexError):
        return XlsFacts(None)
    if stream is None:
        return XlsFacts(None)
    macros = bool({"_VBA_PROJECT_CUR", "VBA", "_VBA_PROJECT"} & names)
    return _biff(stream, macros)


def _biff(stream: bytes, macros: bool) -> XlsFacts:
    max_row = max_col = strings = 0
    at, end = 0, len(stream) - 4
    sheet_at: list[int] = []  # each sheet's BOF offset, in workbook order (BoundSheet8 records)
    hidden: dict[int, list[int]] = {}
    filtered: set[int] = set()
    current = -1
    while at <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind == _BOUNDSHEET and length >= 4:
            sheet_at.append(struct.unpack_from("<I", stream, body)[0])
        elif kind == _BOF:
            current = at
        elif kind == _ROW and length >= 14 and struct.unpack_from("<H", stream, body + 12)[0] & _ROW_HIDDEN:
            hidden.setdefault(current, []).append(struct.unpack_from("<H", stream, body)[0] + 1)
        elif kind == _AUTOFILTERINFO:
            filtered.add(current)
        elif kind in _CELL_RECORDS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
        elif kind in _MULTI_RECORDS and length >= 6 and body + length <= len(stream):
            row = struct.unpack_from("<H", stream, body)[0]
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            max_row, max_col = max(max_row, row + 1), max(max_col, last + 1)
        elif kind == _FILEPASS:
            return XlsFacts(None, encrypted=True)
        elif kind == _SST and length >= 8:
            strings = max(strings, *struct.unpack_from("<II", stream, body))
        at = body + length
    per_sheet = tuple((tuple(hidden.get(offset, ())), offset in filtered) for offset in sheet_at)
    return XlsFacts(Extent(max_row, max_col), macros=macros, strings=strings, hidden=per_sheet)


def _varint(data: bytes, at: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for i in range(most):
        if at + i >= len(data):
            raise ValueError("truncated record")
        byte = data[at + i]
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at + i + 1
    return value, at + most


_BRT_ROW, _BRT_DIM, _BRT_SST, _BRT_BUNDLE_SH = 0, 148, 159, 156
_BRT_CELLS = range(1, 14)  # blank, RK, error, bool, real, string, shared string, the formula cells


@dataclass(frozen=True, slots=True)
class XlsbSheet:
    extent: Extent
    hidden_rows: tuple[int, ...] = ()
    filtered: bool = False


_BRT_AFILTER = 161  # BrtBeginAFilter: the sheet has an AutoFilter
_ROW_DY_ZERO = 0x1000  # fDyZero in BrtRowHdr's flags (after rw, ixfe, miyRw): the row is hidden


def xlsb_sheet(data: bytes, row_limit: int, options: ImportOptions) -> XlsbSheet:
    """The furthest row and column an .xlsb sheet's records name (its dimension record included),
    and the rows it marks hidden."""
    row = max_row = max_col = 0
    hidden: list[int] = []
    filtered = False
    at = 0
    try:
        while at < len(data):
            kind, at = _varint(data, at, 2)
            length, at = _varint(data, at, 4)
            if kind == _BRT_ROW and length >= 4:
                row = struct.unpack_from("<I", data, at)[0] + 1
                max_row = max(max_row, row)
                if length >= 12 and struct.unpack_from("<H", data, at + 10)[0] & _ROW_DY_ZERO:
                    hidden.append(row)
            elif kind == _BRT_AFILTER:
                filtered = True
            elif kind in _BRT_CELLS and length >= 4:
                max_col = max(max_col, struct.unpack_from("<I", data, at)[0] + 1)
            elif kind == _BRT_DIM and length >= 16:
                first_row, last_row, first_col, last_col = struct.unpack_from("<IIII", data, at)
                max_row = max(max_row, last_row - min(first_row, last_row) + 1)
                max_col = max(max_col, last_col - min(first_col, last_col) + 1)
            if max_row > row_limit or max_col > options.max_columns:
                break
            at += length
    except (ValueError, struct.error):
        pass  # a damaged tail: calamine refuses it, and what was measured so far stands
    return XlsbSheet(Extent(max_row, max_col), tuple(hidden), filtered)


def xlsb_sheet_ids(workbook: bytes) -> list[str]:
    """The relationship id of each sheet, in workbook order (BrtBundleSh records of workbook.bin)."""
    ids: list[str] = []
    at = 0
    try:
        while at < len(workbook):
            kind, at = _varint(workbook, at, 2)
            length, at = _varint(workbook, at, 4)
            if kind == _BRT_BUNDLE_SH and length >= 12:
                count = struct.unpack_from("<I", workbook, at + 8)[0]
                ids.append("" if count == 0xFFFFFFFF else
                           workbook[at + 12 : at + 12 + 2 * min(count, 255)].decode("utf-16-le", "replace"))
            at += length
    except (ValueError, struct.error):
        pass
    return ids


def xlsb_strings(data: bytes) -> int:
    """Distinct texts an .xlsb shared-string part declares (calamine reserves room for them)."""
    try:
        kind, at = _varint(data, 0, 2)
        length, at = _varint(data, at, 4)
        if kind == _BRT_SST and length >= 8:
            return int(max(struct.unpack_from("<II", data, at)))  # total and distinct texts declared
    except (ValueError, struct.error):
        pass
    return 0


_ODS_TABLE = re.compile(rb"<table:table[\s>]")
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/>|>)")
_ODS_ROW_END = re.compile(rb"</table:table-row>")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(/>|>)")
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]{1,10})"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]{1,10})"')
_CONTENT = re.compile(rb"office:value-type=|<text:p\b")


_ODS_HIDDEN_ROW = re.compile(rb'table:visibility="(collapse|filter)"')


@dataclass(frozen=True, slots=True)
class OdsFacts:
    extent: Extent
    hidden: tuple[tuple[tuple[int, ...], bool], ...] = ()  # per table: rows holding values that are hidden


def ods_facts(xml: bytes) -> OdsFacts:
    """The furthest row and column holding a value, over every table, counting repeated rows and
    cells (LibreOffice writes a million repeated *empty* rows, which calamine does not place), and
    each table's hidden rows (collapsed by hand, or filtered) that hold values."""
    max_row = max_col = 0
    hidden: list[tuple[tuple[int, ...], bool]] = []
    for table in _ODS_TABLE.split(xml)[1:]:
        row_at, by_filter = 0, False
        rows_hidden: list[int] = []
        for row in _ODS_ROW.finditer(table):
            repeat = _ROWS_REPEATED.search(row.group(1))
            rows = int(repeat.group(1)) if repeat else 1
            if row.group(2) == b">":
                end = _ODS_ROW_END.search(table, row.end())
                last = _last_value_column(table[row.end() : end.start() if end else len(table)])
                if last:
                    max_row, max_col = max(max_row, row_at + rows), max(max_col, last)
                    if (seen := _ODS_HIDDEN_ROW.search(row.group(1))) is not None and rows <= 100_000:
                        rows_hidden += range(row_at + 1, row_at + rows + 1)
                        by_filter = by_filter or seen.group(1) == b"filter"
            row_at += rows
        hidden.append((tuple(rows_hidden), by_filter))
    return OdsFacts(Extent(max_row, max_col), tuple(hidden))


def _last_value_column(row: bytes) -> int:
    col = last = 0
    cells = list(_ODS_CELL.finditer(row))
    for i, cell in enumerate(cells):
        repeat = _COLS_REPEATED.search(cell.group(1))
        count = int(repeat.group(1)) if repeat else 1
        stop = cells[i + 1].start() if i + 1 < len(cells) else len(row)
        inner = b"" if cell.group(2) == b"/>" else row[cell.end() : stop]
        if _CONTENT.search(cell.group(1)) or _CONTENT.search(inner):
            last = col + count
        col += count
    return last
