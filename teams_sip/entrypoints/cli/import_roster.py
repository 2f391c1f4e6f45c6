"""`teams-sip import FILE`: make a roster file the roster of the sites it names, as the upload on the
admin page does, for admins who work from the command line and `teams-sip run --once`.

Exit codes: 0 imported with every row accepted; 1 imported, but some rows were rejected (they are
listed); 2 nothing imported (the file was refused, or every row was rejected).
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
        description="Validate a CSV or XLSX roster and, when at least one row is accepted, keep the file and "
        "make its accepted rows the roster of the sites it names (other sites keep theirs). The next "
        "`teams-sip run --once` acts on it. Exit code 0 all rows accepted, 1 some rejected, 2 nothing imported.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="roster spreadsheet (.csv or .xlsx)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.bootstrap import build_services
    from teams_sip.config import load_settings
    from teams_sip.entrypoints.cli.validate import render_table
    from teams_sip.service.rollout import Rollout

    services = None
    try:
        data = args.file.read_bytes()
        services = build_services(load_settings())
        outcome = Rollout(services).import_file(data, args.file.name, actor="cli", correlation_id="cli-import")
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except TeamsSipError as exc:
        print(f"File refused: {exc}", file=sys.stderr)
        return 2
    finally:
        if services is not None:
            services.close()
    print(render_table(outcome.result))
    if outcome.import_id is None:
        print("Nothing imported: every row was rejected.", file=sys.stderr)
        return 2
    print(f"Imported as {outcome.import_id}.")
    return 1 if outcome.result.summary.get("rejected", 0) else 0
