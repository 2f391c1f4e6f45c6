"""`teams-sip validate FILE`: check a handset roster before anything is provisioned.

Exit codes: 0 every row accepted, 1 some rows rejected, 2 the file itself was refused (or unreadable).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from teams_sip.domain.identifiers import excerpt
from teams_sip.domain.roster import DateOrder, ImportRefused, ImportResult, RowStatus
from teams_sip.entrypoints.cli.files import read_roster_bytes
from teams_sip.entrypoints.cli.progress import Progress
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.roster_file import load_roster
from teams_sip.service.imports import RosterChanges

_DEFAULTS = ImportOptions()


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a handset spreadsheet (CSV, XLSX, XLS, XLSB or ODS)",
        description="Read a roster of handsets (CSV or XLSX) and report, per row, the normalised hardware id "
        "or the errors and warnings, naming row (header = row 1) and column. Nothing is provisioned. "
        "Exit code 0 when every row is accepted, 1 when some rows are rejected, 2 when the file is refused.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="roster spreadsheet (.csv or .xlsx)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (rows and summary)")
    parser.add_argument("--dates", choices=[o.value for o in DateOrder], default=DateOrder.AUTO.value,
                        help="how to read dates like 03/04/2026; auto follows the file's unambiguous dates "
                        "and rejects the rest (default: auto)")
    parser.add_argument("--max-rows", type=int, default=_DEFAULTS.max_rows, help="row cap (default 100000)")
    parser.add_argument("--max-mb", type=float, default=_DEFAULTS.max_bytes / MB,
                        help="file size cap in MB (default 20)")
    parser.add_argument("--sheet", metavar="NAME", help="workbook sheet to read (default: the first visible one)")
    parser.set_defaults(handler=run)


def render_table(result: ImportResult) -> str:
    info = result.info
    how = ", ".join(x for x in (info.format, info.sheet and f"sheet '{info.sheet}'", info.encoding,
                                info.delimiter and f"delimiter {info.delimiter!r}") if x)
    lines = [f"{info.filename} ({how})",
             "Columns: " + ", ".join(f"{header} -> {field.value}" for field, header in info.columns)]
    if info.ignored_columns:
        lines.append("Ignored columns: " + ", ".join(info.ignored_columns))
    lines += [f"Note: {note}" for note in info.notes]
    lines += ["", f"{'Row':>5}  {'Status':<9} {'Hardware ID':<18} Issues"]
    for row in result.rows:
        hw = row.identity.dashed if row.identity and row.status is RowStatus.ACCEPTED else ""
        issues = [f"error in {i.column}: {i.message}" for i in row.errors]
        issues += [f"warning in {i.column}: {i.message}" for i in row.warnings]
        lines.append(f"{row.row:>5}  {row.status.value:<9} {hw:<18} {issues[0] if issues else ''}".rstrip())
        lines += [f"{'':>5}  {'':<9} {'':<18} {text}" for text in issues[1:]]
    s = result.summary
    lines += ["", f"{s['rows']} rows: {s['accepted']} accepted ({s['devices']} devices), {s['rejected']} rejected, "
              f"{s['with_warnings']} with warnings, {s['skipped_empty']} empty rows skipped."]
    return "\n".join(lines)


def render_changes(changes: RosterChanges) -> str:
    """What an import does to the roster beyond its accepted rows: handsets kept, handsets dropped."""
    lines = [f"Kept: {r.hardware_id} ({r.upn}, {excerpt(r.site)}) keeps its previous row: file row {n} was rejected"
             for n, r in changes.kept]
    lines += [f"Dropped: {r.hardware_id} ({r.upn}, {excerpt(r.site)}) is in the roster but not in this file"
              for r in changes.dropped]
    if not lines:
        return "No rostered handset is dropped."
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    options = ImportOptions(max_bytes=int(args.max_mb * MB), max_rows=args.max_rows, date_order=DateOrder(args.dates),
                            sheet=args.sheet)
    try:
        data = read_roster_bytes(path, options.max_bytes)
        with Progress().stage(f"Validating {path.name}"):
            result = load_roster(data, path.name, options)
    except ImportRefused as exc:
        return _refused(args, str(exc))
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, default=str))
    else:
        print(render_table(result))
    return 0 if result.summary["rejected"] == 0 else 1


def _refused(args: argparse.Namespace, message: str) -> int:
    if args.json:
        print(json.dumps({"refused": message}))
    print(f"File refused: {message}", file=sys.stderr)
    return 2
