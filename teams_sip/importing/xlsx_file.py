"""XLSX to rows of text, after the checks that make an uploaded workbook safe to open.

Refused before any parsing: encrypted workbooks and legacy .xls (both OLE compound files),
macro-enabled workbooks (vbaProject.bin or a macroEnabled content type), and zip bombs (too many
members, too much unpacked data, or a first sheet whose declared dimension exceeds the cell bound).
Then python-calamine reads the first sheet through pandas, every cell as text.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

import pandas as pd
import python_calamine

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.options import ImportOptions

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"

_TAG_ATTRS = re.compile(r'([\w:]+)="([^"]*)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True, slots=True)
class SheetTable:
    rows: list[list[str]]
    sheet: str


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


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
    except zipfile.BadZipFile as exc:
        raise ImportRefused(f"{filename} is not a valid .xlsx workbook (the file is damaged or not Excel).") from exc
    with zf:
        members = zf.infolist()
        if len(members) > options.max_zip_members:
            raise ImportRefused(f"{filename} holds {len(members)} parts, more than a roster workbook should.")
        unpacked = sum(m.file_size for m in members)
        if unpacked > options.max_uncompressed_bytes:
            raise ImportRefused(
                f"{filename} unpacks to {unpacked // (1024 * 1024)} MB, beyond the safe bound of "
                f"{options.max_uncompressed_bytes // (1024 * 1024)} MB; split the roster into smaller files."
            )
        names = {m.filename for m in members}
        content_types = zf.read("[Content_Types].xml")[:1_000_000] if "[Content_Types].xml" in names else b""
        if "xl/vbaProject.bin" in names or b"macroEnabled" in content_types:
            raise ImportRefused(f"{filename} contains macros; save it as .xlsx (without macros) or CSV.")
        if "xl/workbook.xml" not in names:
            raise ImportRefused(f"{filename} is a zip file but not an Excel workbook; upload .xlsx or CSV.")
        sheet_path = _first_sheet_path(zf)
        if sheet_path is not None and sheet_path in names:
            with zf.open(sheet_path) as handle:
                head = handle.read(4096)
            dim = _DIMENSION.search(head)
            if dim and dim.group(3):
                rows = int(dim.group(4)) - int(dim.group(2)) + 1
                cols = _column_number(dim.group(3)) - _column_number(dim.group(1)) + 1
                if rows * cols > options.max_cells or rows > options.max_rows + options.header_search_rows + 1:
                    raise ImportRefused(
                        f"{filename}'s first sheet spans {rows:,} rows x {cols:,} columns, beyond the bound of "
                        f"{options.max_rows:,} rows / {options.max_cells:,} cells; split the roster."
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
    except (python_calamine.CalamineError, ValueError, KeyError, IndexError, zipfile.BadZipFile) as exc:
        raise ImportRefused(f"{filename} could not be read as a workbook ({type(exc).__name__}); "
                            "open it in Excel and save it again as .xlsx, or export CSV.") from exc
    return SheetTable(frame.fillna("").to_numpy(dtype=object).tolist(), sheet)
