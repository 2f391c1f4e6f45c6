"""XLSX to rows of text, after the checks that make an uploaded workbook safe to open.

Refused before any parsing: encrypted workbooks and legacy .xls (both OLE compound files),
macro-enabled workbooks (vbaProject.bin or a macroEnabled content type), and zip bombs (too many
members, too much unpacked data, or a first sheet whose declared dimension or real cell references
exceed the row, column or cell bound: see sheet_bounds). Damaged zip members are refused, never raised.
Then python-calamine reads the first sheet through pandas, every cell as text.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pandas as pd
import python_calamine

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.sheet_bounds import HUGE, Extent, column_number, sheet_extent

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

_TAG_ATTRS = re.compile(r'([\w:]+)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True, slots=True)
class SheetTable:
    rows: list[list[str]]
    sheet: str


def _first_sheet_path(zf: zipfile.ZipFile) -> str | None:
    """Path of the workbook's first sheet, from workbook.xml and its relationships (regex, no XML parser)."""
    try:
        workbook = zf.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels")[:1_000_000].decode("utf-8", "replace")
    except KeyError:
        return None
    sheet = re.search(r"<(?:\w+:)?sheet\b[^>]*>", workbook)
    if sheet is None:
        return None
    rid = next((v for k, v in _TAG_ATTRS.findall(sheet.group(0)) if k.endswith(":id")), None)
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        attrs = dict(_TAG_ATTRS.findall(tag))
        if attrs.get("Id") == rid and "Target" in attrs:
            target = attrs["Target"]
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    return None


# What zipfile raises for damage: bad CRC or magic, a deflate error, a truncated member, an unknown
# compression method or zip version (NotImplementedError), an encrypted member (RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OverflowError)
_NOT_SHEETS = ("[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml")
DAMAGED = ("the workbook is damaged (part of it does not unpack). Open it in Excel and save it again as .xlsx, "
           "or export CSV.")


def check_workbook(data: bytes, filename: str, options: ImportOptions) -> None:
    """Raise ImportRefused for anything unsafe or unreadable; return quietly for a plain .xlsx."""
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            f"{filename} is password-protected (encrypted) or an old .xls workbook. "
            "Remove the password and save it as .xlsx (Excel Workbook), or export CSV."
        )
    if filename.lower().endswith((".xlsm", ".xltm", ".xlam")):
        raise ImportRefused(f"{filename} is a macro-enabled workbook; save it as .xlsx (without macros) or CSV.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_ERRORS, struct.error) as exc:
        raise ImportRefused(f"{filename} is not a valid .xlsx workbook (the file is damaged or not Excel).") from exc
    # Reading a member inflates and CRC-checks it: a damaged deflate stream, a wrong CRC, a member
    # larger than its header says, or an encrypted zip member all end here as one admin message.
    try:
        with zf:
            _check_parts(zf, filename, options)
    except (*ZIP_ERRORS, struct.error) as exc:
        raise ImportRefused(f"{filename}: {DAMAGED}") from exc


def _check_parts(zf: zipfile.ZipFile, filename: str, options: ImportOptions) -> None:
    members = zf.infolist()
    if len(members) > options.max_zip_members:
        raise ImportRefused(f"{filename} holds {len(members):,} parts, more than a roster workbook should.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > options.max_uncompressed_bytes:
        raise ImportRefused(
            f"{filename} unpacks to {unpacked // MB:,} MB, beyond the safe bound of "
            f"{options.max_uncompressed_bytes // MB:,} MB; split the roster into smaller files."
        )
    names = {m.filename for m in members}
    content_types = zf.read("[Content_Types].xml")[:1_000_000] if "[Content_Types].xml" in names else b""
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        raise ImportRefused(f"{filename} contains macros; save it as .xlsx (without macros) or CSV.")
    if "xl/workbook.xml" not in names:
        raise ImportRefused(f"{filename} is a zip file but not an Excel workbook; upload .xlsx or CSV.")
    sheet_path = _first_sheet_path(zf)
    if sheet_path is not None and sheet_path in names:
        candidates = [sheet_path]
    else:  # we cannot tell which part calamine will read: bound every part that could be a sheet
        candidates = sorted(n for n in names if n.endswith(".xml") and n not in _NOT_SHEETS
                            and not n.startswith(("docProps/", "xl/theme/", "customXml/")))
    for path in candidates:
        _check_extent(zf.read(path), filename, options)


def _check_extent(xml: bytes, filename: str, options: ImportOptions) -> None:
    """The declared dimension and the real cell references must both fit, before calamine sizes its grid."""
    row_limit = options.max_rows + options.header_search_rows + 1

    def fits(extent: Extent) -> bool:
        return (extent.rows <= row_limit and extent.columns <= options.max_columns
                and extent.rows * extent.columns <= options.max_cells)

    dim = _DIMENSION.search(xml[:4096])
    if dim and dim.group(3):
        rows = int(dim.group(4)) - int(dim.group(2)) + 1 if len(dim.group(4)) <= 9 else HUGE
        cols = column_number(dim.group(3)) - column_number(dim.group(1)) + 1
        if rows * cols > options.max_cells or rows > row_limit:
            raise ImportRefused(
                f"{filename}'s first sheet spans {rows:,} rows x {cols:,} columns, beyond the bound of "
                f"{options.max_rows:,} rows / {options.max_cells:,} cells; split the roster."
            )
    extent = sheet_extent(xml, fits)
    if not fits(extent):
        raise ImportRefused(
            f"{filename}'s first sheet has cells out to row {extent.rows:,} and column {extent.column_letters} "
            f"({extent.columns:,}), beyond the bound of {options.max_rows:,} rows, {options.max_columns:,} "
            f"columns and {options.max_cells:,} cells. Delete the stray far-away cells (Ctrl+End shows the "
            "last one) or split the roster."
        )


def read_xlsx(data: bytes, filename: str, options: ImportOptions, row_limit: int) -> SheetTable:
    check_workbook(data, filename, options)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.sheet_names[0] if workbook.sheet_names else ""
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=0, engine="calamine", header=None, dtype=str,
            keep_default_na=False, na_filter=False, nrows=row_limit,
        )
    except (python_calamine.CalamineError, ValueError, KeyError, IndexError, zipfile.BadZipFile, zlib.error) as exc:
        raise ImportRefused(f"{filename} could not be read as a workbook: its content is damaged or not what "
                            "Excel writes. Open it in Excel and save it again as .xlsx, or export CSV.") from exc
    return SheetTable(frame.fillna("").to_numpy(dtype=object).tolist(), sheet)
