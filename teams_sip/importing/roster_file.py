"""`load_roster`: the one way a roster file becomes an ImportResult, for the CLI and HTTP upload alike.

Atomic by construction: the file is read completely into text, checked against every file-level
rule, then validated row by row in memory. The caller gets the whole result or an ImportRefused
(with a message for the admin); there is no partial outcome to observe.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from teams_sip.domain.roster import FileInfo, ImportRefused, ImportResult, build_result
from teams_sip.importing.columns import HeaderMatch, describe_headers, match_header
from teams_sip.importing.csv_file import TextTable, read_csv
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.other_workbooks import OTHER_SUFFIXES, read_other
from teams_sip.importing.workbook_sheets import describe
from teams_sip.importing.xlsx_file import OLE_MAGIC, ZIP_MAGIC, SheetTable, read_xlsx

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ""}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
Rows = list[tuple[int, list[str]]]  # non-empty rows with their number as Excel shows it


def _size(n: int) -> str:
    """Exact bytes and MB, so '20.0 MB; the limit is 20 MB' never hides which side of the limit a file is."""
    return f"{n:,} bytes ({n / MB:.2f} MB)"


def _cell(value: object) -> str:
    return value if isinstance(value, str) else ""


def _non_empty(grid: Sequence[Sequence[object]]) -> Rows:
    rows: Rows = []
    for n, row in enumerate(grid, start=1):
        cells = [_cell(c) for c in row]
        if any(cells) and not "".join(cells).isspace():
            rows.append((n, cells))
    return rows


def _find_header(rows: Rows, options: ImportOptions) -> tuple[int, int, HeaderMatch]:
    """(index in rows, row number, match) of the first usable header within the search window."""
    best: HeaderMatch | None = None
    for i, (n, cells) in enumerate(rows):
        if n > options.header_search_rows:
            break
        match = match_header(cells)
        if match.usable:
            return i, n, match
        if best is None or len(match.columns) > len(best.columns):
            best = match
    raise ImportRefused(describe_headers(best, options.header_search_rows))


def _check_widths(table: TextTable, body: Rows, header_width: int) -> None:
    """A CSV row with more filled cells than the header has a stray delimiter or quote: its cells
    would land under the wrong headings, so the file is refused rather than guessed at."""
    for n, cells in body:
        if len(cells) > header_width and any(c.strip() for c in cells[header_width:]):
            raise ImportRefused(
                f"The CSV file is malformed: line {table.line(n)} has {len(cells)} cells but the header has "
                f"{header_width}. Check that line for a stray '{table.delimiter}' or quote."
            )


def load_roster(data: bytes, filename: str, options: ImportOptions | None = None) -> ImportResult:
    """Read CSV, XLSX, XLS, XLSB or ODS bytes into a validated roster, or raise ImportRefused."""
    options = options or ImportOptions()
    name = PurePath(filename).name or "upload"
    if len(data) > options.max_bytes:
        raise ImportRefused(f"{name} is {_size(len(data))}; the limit is {_size(options.max_bytes)}. "
                            "Split the roster.")
    if not data.strip():
        raise ImportRefused(f"{name} is empty: it needs a header row and one row per handset.")
    suffix = PurePath(name).suffix.lower()
    row_limit = options.max_rows + options.header_search_rows + 1
    workbook = _workbook_format(data, name, suffix)
    if workbook is not None:
        table = (read_xlsx(data, name, options, row_limit) if workbook == "xlsx"
                 else read_other(data, name, workbook, options, row_limit))
        try:
            return _from_rows(_non_empty(table.rows), name, options, None, table)
        except ImportRefused as exc:  # every refusal of a workbook names its sheets
            raise ImportRefused(f"{exc} {describe(table.sheets, table.sheet)}") from None
    if suffix in CSV_SUFFIXES:
        text_table = read_csv(data, options)
        return _from_rows(text_table.rows, name, options, text_table, None)
    raise ImportRefused(f"{name}: unknown format '{suffix}'; upload .xlsx, .xls, .xlsb, .ods or .csv (UTF-8, comma "
                        "or semicolon).")


def _workbook_format(data: bytes, name: str, suffix: str) -> str | None:
    """"xlsx", "xls", "xlsb" or "ods" by name and magic bytes; None for text; refuses a mismatch."""
    if suffix in OTHER_SUFFIXES:
        fmt = OTHER_SUFFIXES[suffix]
        if not data.startswith(OLE_MAGIC if fmt == "xls" else ZIP_MAGIC):
            raise ImportRefused(f"{name} is not a valid {suffix} workbook (its content is not what the name says): "
                                "save it again as .xlsx or CSV.")
        return fmt
    if data.startswith(OLE_MAGIC) and suffix in ("", ".xlsx"):
        return "xls" if suffix == "" else "xlsx"  # an .xlsx name on an OLE file: encrypted, refused as such
    if data.startswith(ZIP_MAGIC) or suffix in XLSX_SUFFIXES or data.startswith(OLE_MAGIC):
        if suffix not in XLSX_SUFFIXES and suffix != "":
            raise ImportRefused(f"{name} is not a roster file: upload .xlsx or .csv.")
        return "xlsx"
    return None


def _from_rows(rows: Rows, name: str, options: ImportOptions, text_table: TextTable | None,
               table: SheetTable | None) -> ImportResult:
    if not rows:
        raise ImportRefused(f"{name} is empty: it needs a header row and one row per handset.")
    at, header_row, match = _find_header(rows, options)
    header_width = len(rows[at][1])
    body = rows[at + 1 :]
    if len(body) > options.max_rows:
        raise ImportRefused(f"{name} has more than {options.max_rows:,} rows; split the roster into smaller files.")
    if not body:
        raise ImportRefused(f"{name} has a header row (row {header_row}) but no handset rows under it; add one "
                            "row per handset.")
    if text_table is not None:
        _check_widths(text_table, body, header_width)
    records = text_table.records if text_table is not None else len(table.rows) if table is not None else 0
    skipped_empty = max(records, body[-1][0]) - header_row - len(body)
    body, hidden_note = _without_hidden(body, table)
    positions = match.positions
    data_rows = [(n, [cells[p] if p < len(cells) else "" for p in positions]) for n, cells in body]
    info = FileInfo(
        filename=name, format=table.format if table is not None else "csv", columns=match.columns,
        ignored_columns=match.ignored, encoding=text_table.encoding if text_table is not None else None,
        delimiter=text_table.delimiter if text_table is not None else None,
        sheet=table.sheet if table is not None else None, skipped_empty_rows=skipped_empty,
        notes=(*((f"header found on row {header_row}",) if header_row > 1 else ()),
               *(text_table.notes if text_table is not None else ()), *hidden_note),
    )
    return build_result(info, match.columns, data_rows, options.date_order)


SHOWN_HIDDEN = 20


def _without_hidden(body: Rows, table: SheetTable | None) -> tuple[Rows, tuple[str, ...]]:
    """Rows the admin hid (by hand or with a filter) are left out, and named: they were not on screen
    when the file was saved, and must not replace the roster of sites the admin filtered away."""
    hidden = set(table.hidden_rows) if table is not None else set()
    left_out = [n for n, _ in body if n in hidden]
    if not left_out:
        return body, ()
    how = "filtered out or hidden" if table is not None and table.filtered else "hidden"
    shown = ", ".join(map(str, left_out[:SHOWN_HIDDEN])) + (f" and {len(left_out) - SHOWN_HIDDEN} more"
                                                            if len(left_out) > SHOWN_HIDDEN else "")
    note = (f"warning: {len(left_out)} row(s) {how} in the workbook were not imported (rows {shown}); unhide "
            "them (clear the filter) and upload again to import them")
    return [(n, cells) for n, cells in body if n not in hidden], (note,)
