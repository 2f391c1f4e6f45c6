"""`load_roster`: the one way a roster file becomes an ImportResult, for the CLI and HTTP upload alike.

Atomic by construction: the file is read completely into text, checked against every file-level
rule, then validated row by row in memory. The caller gets the whole result or an ImportRefused
(with a message for the admin); there is no partial outcome to observe.
"""

from __future__ import annotations

from pathlib import PurePath

from teams_sip.domain.roster import FileInfo, ImportRefused, ImportResult, build_result
from teams_sip.importing.columns import HeaderMatch, expected_columns, match_header
from teams_sip.importing.csv_file import read_csv
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.xlsx_file import OLE_MAGIC, ZIP_MAGIC, read_xlsx

CSV_SUFFIXES = {".csv", ".txt", ".tsv", ""}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}


def _cell(value: object) -> str:
    return value if isinstance(value, str) else ""


def _find_header(rows: list[list[str]], options: ImportOptions) -> tuple[int, HeaderMatch]:
    first: HeaderMatch | None = None
    for i, row in enumerate(rows[: options.header_search_rows]):
        match = match_header([_cell(c) for c in row])
        if match.usable:
            return i, match
        if first is None and any(_cell(c).strip() for c in row):
            first = match
    seen = ", ".join(f"'{h}'" for h in (first.ignored if first else ()) if h) or "none"
    raise ImportRefused(
        f"No recognisable columns: the file needs {expected_columns()}. Headers found: {seen}."
    )


def load_roster(data: bytes, filename: str, options: ImportOptions | None = None) -> ImportResult:
    """Read CSV or XLSX bytes into a validated roster, or raise ImportRefused."""
    options = options or ImportOptions()
    name = PurePath(filename).name or "upload"
    if len(data) > options.max_bytes:
        raise ImportRefused(
            f"{name} is {len(data) / MB:.1f} MB; the limit is {options.max_bytes / MB:.0f} MB. Split the roster."
        )
    if not data.strip():
        raise ImportRefused(f"{name} is empty: it needs a header row and one row per handset.")
    suffix = PurePath(name).suffix.lower()
    row_limit = options.max_rows + options.header_search_rows + 1
    encoding = delimiter = sheet = None
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or suffix in XLSX_SUFFIXES:
        if suffix not in XLSX_SUFFIXES and not data.startswith(OLE_MAGIC) and suffix != "":
            raise ImportRefused(f"{name} is not a roster file: upload .xlsx or .csv.")
        table = read_xlsx(data, name, options, row_limit)
        rows, sheet, fmt = table.rows, table.sheet, "xlsx"
    elif suffix in CSV_SUFFIXES:
        text_table = read_csv(data, row_limit)
        rows, encoding, delimiter, fmt = text_table.rows, text_table.encoding, text_table.delimiter, "csv"
    else:
        raise ImportRefused(f"{name}: unknown format '{suffix}'; upload .xlsx or .csv (UTF-8, comma or semicolon).")
    if not rows:
        raise ImportRefused(f"{name} is empty: it needs a header row and one row per handset.")
    header_at, match = _find_header(rows, options)
    body = rows[header_at + 1 :]
    if len(body) > options.max_rows:
        raise ImportRefused(f"{name} has more than {options.max_rows:,} rows; split the roster into smaller files.")
    data_rows: list[tuple[int, list[str]]] = []
    skipped = 0
    positions = match.positions
    for offset, cells in enumerate(body):  # readers fill missing cells with "", so every cell is a str
        if not any(cells) or "".join(cells).isspace():
            skipped += 1
            continue
        width = len(cells)
        data_rows.append((header_at + offset + 2, [cells[p] if p < width else "" for p in positions]))
    info = FileInfo(
        filename=name, format=fmt, columns=match.columns, ignored_columns=match.ignored, encoding=encoding,
        delimiter=delimiter, sheet=sheet, skipped_empty_rows=skipped,
        notes=(f"header found on row {header_at + 1}",) if header_at else (),
    )
    return build_result(info, match.columns, data_rows, options.date_order)
