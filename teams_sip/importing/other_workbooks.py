"""Old Excel (.xls), Excel binary (.xlsb) and LibreOffice (.ods) workbooks, read by python-calamine
under the same bounds as .xlsx: the size cap, zip-bomb bounds, no macros, no password, and a grid
no larger than the row, column and cell bounds, measured before calamine sizes it
(binary_bounds: the .xls and .xlsb cell records, the .ods repeat counts). The same walk finds the
rows each sheet hides, which are left out and listed as for .xlsx (workbook_sheets)."""

from __future__ import annotations

import io
import struct
import zipfile

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.binary_bounds import ods_facts, xls_facts, xlsb_sheet, xlsb_sheet_ids, xlsb_strings
from teams_sip.importing.options import ImportOptions
from teams_sip.importing.sheet_bounds import Extent
from teams_sip.importing.workbook_sheets import relationship_targets
from teams_sip.importing.xlsx_file import DAMAGED, ZIP_ERRORS, SheetTable, check_zip_size, read_sheet

OTHER_SUFFIXES = {".xls": "xls", ".xlt": "xls", ".xlsb": "xlsb", ".ods": "ods", ".ots": "ods"}


def refuse_extent(filename: str, extent: Extent, options: ImportOptions, row_limit: int) -> None:
    if (extent.rows > row_limit or extent.columns > options.max_columns
            or extent.rows * extent.columns > options.max_cells):
        raise ImportRefused(
            f"{filename} has cells out to row {extent.rows:,} and column {extent.column_letters} "
            f"({extent.columns:,}), beyond the bound of {options.max_rows:,} rows, {options.max_columns:,} "
            f"columns and {options.max_cells:,} cells. Delete the stray far-away cells or split the roster."
        )


Hidden = tuple[tuple[tuple[int, ...], bool], ...]  # per sheet: hidden rows, and whether a filter hid any


def _check_xls(data: bytes, filename: str, options: ImportOptions, row_limit: int) -> Hidden:
    facts = xls_facts(data)
    if facts.encrypted:
        raise ImportRefused(f"{filename} is password-protected (encrypted). Remove the password and save it "
                            "again, or export CSV.")
    if facts.macros:
        raise ImportRefused(f"{filename} contains macros; save it without macros (.xlsx) or as CSV.")
    if facts.extent is None:
        raise ImportRefused(f"{filename} is not an Excel workbook (no workbook stream); upload .xlsx or CSV.")
    if facts.strings > options.max_shared_strings:
        raise ImportRefused(f"{filename} declares {facts.strings:,} distinct texts, more than a roster holds.")
    refuse_extent(filename, facts.extent, options, row_limit)
    return facts.hidden


def _check_zipped(data: bytes, filename: str, fmt: str, options: ImportOptions, row_limit: int) -> Hidden:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (*ZIP_ERRORS, struct.error) as exc:
        raise ImportRefused(f"{filename} is not a valid .{fmt} workbook (the file is damaged).") from exc
    try:
        with zf:
            names = check_zip_size(zf, filename, options)
            if fmt == "xlsb":
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise ImportRefused(f"{filename} contains macros; save it without macros (.xlsx) or as CSV.")
                for name in sorted(n for n in names if n.lower().endswith("sharedstrings.bin")):
                    if xlsb_strings(zf.read(name)) > options.max_shared_strings:
                        raise ImportRefused(f"{filename} declares more distinct texts than a roster holds.")
                return _check_xlsb_sheets(zf, names, filename, options, row_limit)
            else:
                if "content.xml" not in names:
                    raise ImportRefused(f"{filename} is a zip file but not an OpenDocument spreadsheet.")
                if any(n.startswith("Basic/") or n.startswith("Scripts/") for n in names):
                    raise ImportRefused(f"{filename} contains macros; save it without macros or as CSV.")
                facts = ods_facts(zf.read("content.xml"))
                refuse_extent(filename, facts.extent, options, row_limit)
                return facts.hidden
    except (*ZIP_ERRORS, struct.error) as exc:
        raise ImportRefused(f"{filename}: {DAMAGED}") from exc
    return ()


def _check_xlsb_sheets(zf: zipfile.ZipFile, names: set[str], filename: str, options: ImportOptions,
                       row_limit: int) -> Hidden:
    """Every sheet part within the grid bound; the hidden rows of each sheet, in workbook order."""
    found = {}
    for name in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".bin")):
        sheet = xlsb_sheet(zf.read(name), row_limit, options)
        refuse_extent(filename, sheet.extent, options, row_limit)
        found[name] = (sheet.hidden_rows, sheet.filtered)
    rels = zf.read("xl/_rels/workbook.bin.rels")[:1_000_000] if "xl/_rels/workbook.bin.rels" in names else b""
    targets = relationship_targets(rels.decode("utf-8", "replace"))
    ids = xlsb_sheet_ids(zf.read("xl/workbook.bin")) if "xl/workbook.bin" in names else []
    return tuple(found.get(targets.get(rid, ""), ((), False)) for rid in ids)


def read_other(data: bytes, filename: str, fmt: str, options: ImportOptions, row_limit: int) -> SheetTable:
    """`fmt` is "xls", "xlsb" or "ods"; refused unless every bound holds, then read like .xlsx."""
    if fmt == "xls":
        hidden = _check_xls(data, filename, options, row_limit)
    else:
        hidden = _check_zipped(data, filename, fmt, options, row_limit)
    return read_sheet(data, filename, options, row_limit, None, fmt, hidden)
