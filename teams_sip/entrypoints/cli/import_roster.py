"""`teams-sip import FILE`: make a roster file the roster of the sites it names, as the upload on the
admin page does, for admins who work from the command line and `teams-sip run --once`.

Exit codes: 0 imported with every row accepted; 1 imported, but some rows were rejected (they are
listed); 2 nothing imported (the file was refused, every row was rejected, or it would drop more
rostered handsets than IMPORT_MAX_DROPS without --allow-removals).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a roster spreadsheet into the state store (the sites it names are replaced)",
        description="Validate a CSV, XLSX, XLS, XLSB or ODS roster and, when at least one row is accepted, keep "
        "the file and make its accepted rows the roster of the sites it names (other sites keep theirs). A "
        "rejected row of a known handset keeps its previous row. The next `teams-sip run --once` acts on it. "
        "Exit code 0 all rows accepted, 1 some rejected, 2 nothing imported.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="roster spreadsheet (.csv, .xlsx, .xls, .xlsb, .ods)")
    parser.add_argument("--allow-removals", action="store_true",
                        help="apply the import even if it drops more rostered handsets than IMPORT_MAX_DROPS")
    parser.add_argument("--sheet", metavar="NAME", help="workbook sheet to read (default: the first visible one)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings
    from teams_sip.entrypoints.cli.files import read_roster_bytes
    from teams_sip.entrypoints.cli.progress import Progress
    from teams_sip.entrypoints.cli.validate import render_changes, render_table
    from teams_sip.importing.options import MB
    from teams_sip.service.imports import RemovalsNeedConfirmation
    from teams_sip.service.rollout import Rollout

    wiring = None
    try:
        settings = load_settings()
        data = read_roster_bytes(args.file, settings.rollout.import_max_mb * MB)
        wiring = build_wiring(settings)
        with Progress().stage(f"Importing {args.file.name}"):
            outcome = Rollout(wiring).import_file(data, args.file.name, actor="cli", correlation_id="cli-import",
                                                    allow_removals=args.allow_removals, sheet=args.sheet)
    except RemovalsNeedConfirmation as exc:
        print(render_table(exc.outcome.result))
        print(render_changes(exc.outcome.changes))
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except TeamsSipError as exc:
        print(f"File refused: {exc}", file=sys.stderr)
        return 2
    finally:
        if wiring is not None:
            wiring.close()
    print(render_table(outcome.result))
    print(render_changes(outcome.changes))
    if outcome.import_id is None:
        print("Nothing imported: every row was rejected.", file=sys.stderr)
        return 2
    print(f"Imported as {outcome.import_id}.")
    return 1 if outcome.result.summary.get("rejected", 0) else 0
