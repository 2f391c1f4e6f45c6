"""XLSX to rows of text, after the checks that make an uploaded workbook safe to open.

Refused before any parsing: encrypted workbooks (OLE compound files with an .xlsx name),
macro-enabled workbooks (vbaProject.bin or a macroEnabled content type), and zip bombs (too many
members, too much unpacked data, shared strings beyond their count or size bound, or a sheet whose
declared dimension or real cell references exceed the row, column or cell bound: see sheet_bounds).
Damaged zip members are refused, never raised. Then python-calamine reads the chosen sheet (the
first visible one unless the admin names one: workbook_sheets) through pandas, every cell as text.
`read_sheet` is shared with the other workbook formats (other_workbooks).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pandas as pd
import python_calamine

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.sheet_bounds import HUGE, Extent, column_number, shared_strings_problem, sheet_extent
from teams_sip.importing.workbook_sheets import SheetInfo, choose, describe, hidden_rows, xlsx_sheets

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True, slots=True)
class SheetTable:
    rows: list[list[str]]
    sheet: str
    sheets: tuple[SheetInfo, ...] = ()
    hidden_rows: tuple[int, ...] = ()  # row numbers (as Excel shows them) hidden by hand or by a filter
    filtered: bool = False
    format: str = "xlsx"


# What zipfile raises for damage: bad CRC or magic, a deflate error, a truncated member, an unknown
# compression method or zip version (NotImplementedError), an encrypted member (RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OverflowError)
_NOT_SHEETS = ("[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml")
DAMAGED = ("the workbook is damaged (part of it does not unpack). Open it in Excel and save it again as .xlsx, "
           "or export CSV.")


def check_workbook(data: bytes, filename: str, options: ImportOptions) -> SheetChoice:
    """Raise ImportRefused for anything unsafe or unreadable; for a plain .xlsx, the sheet to read."""
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            f"{filename} is password-protected (encrypted). Remove the password and save it again, or export CSV."
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
            return _check_parts(zf, filename, options)
    except (*ZIP_ERRORS, struct.error) as exc:
        raise ImportRefused(f"{filename}: {DAMAGED}") from exc


@dataclass(frozen=True, slots=True)
class SheetChoice:
    """The sheet to read, the workbook's sheets, and the rows the admin hid on it."""

    sheet: SheetInfo | None
    sheets: tuple[SheetInfo, ...] = ()
    hidden_rows: tuple[int, ...] = ()
    filtered: bool = False


def check_zip_size(zf: zipfile.ZipFile, filename: str, options: ImportOptions) -> set[str]:
    """Member count and unpacked size within bounds; answers the member names."""
    members = zf.infolist()
    if len(members) > options.max_zip_members:
        raise ImportRefused(f"{filename} holds {len(members):,} parts, more than a roster workbook should.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > options.max_uncompressed_bytes:
        raise ImportRefused(
            f"{filename} unpacks to {unpacked // MB:,} MB, beyond the safe bound of "
            f"{options.max_uncompressed_bytes // MB:,} MB; split the roster into smaller files."
        )
    return {m.filename for m in members}


def _check_parts(zf: zipfile.ZipFile, filename: str, options: ImportOptions) -> SheetChoice:
    names = check_zip_size(zf, filename, options)
    content_types = zf.read("[Content_Types].xml")[:1_000_000] if "[Content_Types].xml" in names else b""
    if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
        raise ImportRefused(f"{filename} contains macros; save it as .xlsx (without macros) or CSV.")
    if "xl/workbook.xml" not in names:
        raise ImportRefused(f"{filename} is a zip file but not an Excel workbook; upload .xlsx or CSV.")
    _check_shared_strings(zf, names, filename, options)
    sheets = xlsx_sheets(zf)
    chosen = choose(sheets, options.sheet, filename) if sheets else None
    if chosen is not None and chosen.path in names:
        candidates = [chosen.path]
    else:  # we cannot tell which part calamine will read: bound every part that could be a sheet
        candidates = sorted(n for n in names if n.endswith(".xml") and n not in _NOT_SHEETS
                            and not n.startswith(("docProps/", "xl/theme/", "customXml/")))
    hidden: tuple[int, ...] = ()
    filtered = False
    for path in candidates:
        xml = zf.read(path)
        try:
            _check_extent(xml, filename, options)
        except ImportRefused as exc:  # every refusal of a workbook names its sheets
            raise ImportRefused(f"{exc} {describe(sheets, chosen.name if chosen else None)}" if sheets
                                else str(exc)) from None
        if len(candidates) == 1:
            hidden, filtered = hidden_rows(xml)
    return SheetChoice(chosen, sheets, hidden, filtered)


def _check_shared_strings(zf: zipfile.ZipFile, names: set[str], filename: str, options: ImportOptions) -> None:
    """Every part calamine would read as shared strings, bounded in count, total and per-string bytes."""
    for path in (n for n in names if n.lower().endswith("sharedstrings.xml")):
        with zf.open(path) as part:
            problem = shared_strings_problem(part, options.max_shared_strings, options.max_shared_string_bytes,
                                             options.max_string_bytes)
        if problem is not None:
            raise ImportRefused(f"{filename} is beyond the safe bounds for a roster: {problem}. Save it again "
                                "without the oversized cells, or export CSV.")


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
                f"{filename}'s sheet spans {rows:,} rows x {cols:,} columns, beyond the bound of "
                f"{options.max_rows:,} rows / {options.max_cells:,} cells; split the roster."
            )
    extent = sheet_extent(xml, fits)
    if not fits(extent):
        raise ImportRefused(
            f"{filename}'s sheet has cells out to row {extent.rows:,} and column {extent.column_letters} "
            f"({extent.columns:,}), beyond the bound of {options.max_rows:,} rows, {options.max_columns:,} "
            f"columns and {options.max_cells:,} cells. Delete the stray far-away cells (Ctrl+End shows the "
            "last one) or split the roster."
        )


# What calamine raises for a damaged workbook: its own errors, an OSError ("failed to fill whole
# buffer") when a record claims more bytes than its part holds, and for some damaged .xlsb records a
# Rust panic (pyo3's PanicException, a BaseException): all three found by fuzzing .xlsb sheets.
_READ_ERRORS = (python_calamine.CalamineError, ValueError, KeyError, IndexError, OSError, OverflowError)
_UNREADABLE = ("{} could not be read as a workbook: its content is damaged or not what a spreadsheet program "
               "writes. Open it and save it again, or export CSV.")


def read_xlsx(data: bytes, filename: str, options: ImportOptions, row_limit: int) -> SheetTable:
    choice = check_workbook(data, filename, options)
    return read_sheet(data, filename, options, row_limit, choice, "xlsx")


def read_sheet(data: bytes, filename: str, options: ImportOptions, row_limit: int, choice: SheetChoice | None,
               fmt: str, hidden_by_sheet: tuple[tuple[tuple[int, ...], bool], ...] = ()) -> SheetTable:
    """The chosen sheet (or the first visible one, by calamine's own reading of the workbook) as text;
    its hidden rows from `choice` (.xlsx) or from `hidden_by_sheet`, in workbook order (other formats)."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = tuple(SheetInfo(m.name, m.visible == python_calamine.SheetVisibleEnum.Visible)
                       for m in workbook.sheets_metadata)
        if not sheets:
            raise ImportRefused(f"{filename} has no sheets.")
        chosen = choose(sheets, options.sheet if choice is None or choice.sheet is None else choice.sheet.name,
                        filename)
        index = sheets.index(chosen)
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=index, engine="calamine", header=None, dtype=str,
            keep_default_na=False, na_filter=False, nrows=row_limit,
        )
    except (*_READ_ERRORS, zipfile.BadZipFile, zlib.error) as exc:
        raise ImportRefused(_UNREADABLE.format(filename)) from exc
    except BaseException as exc:  # a Rust panic inside calamine arrives as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
        raise ImportRefused(_UNREADABLE.format(filename)) from None
    hidden, filtered = ((choice.hidden_rows, choice.filtered) if choice is not None
                        else hidden_by_sheet[index] if index < len(hidden_by_sheet) else ((), False))
    return SheetTable(frame.fillna("").to_numpy(dtype=object).tolist(), chosen.name, sheets, hidden, filtered, fmt)
