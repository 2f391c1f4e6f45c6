"""`teams-sip inventory FILE`: hand in the Teams admin center's SIP device export (the SIP devices
page's Export button). Its rows wait for the next pass, which takes them as evidence of each
handset's state (signed in, signed out) next to the other inventory sources.

Exit codes: 0 the file was read (rows it could not use are listed); 2 it was refused whole.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "inventory",
        help="hand in the Teams admin center's SIP device export (evidence for the next pass)",
        description="Read the CSV or XLSX the Teams admin center's SIP devices page exports. Columns are found "
        "by meaning (MAC address, user, sign-in status, last seen); a file without a MAC address column and a "
        "status or user column is refused, listing the headers it has. Matched rows are applied by the next "
        "reconciliation pass.",
    )
    parser.add_argument("file", type=Path, help="the exported CSV or XLSX")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings
    from teams_sip.service.inventory_upload import upload_inventory
    from teams_sip.service.rollout import Rollout

    wiring = None
    try:
        data = args.file.read_bytes()
        wiring = build_wiring(load_settings())
        outcome = upload_inventory(Rollout(wiring), data, args.file.name, actor="cli", correlation_id="cli")
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except TeamsSipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if wiring is not None:
            wiring.close()
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2))
        return 0
    print(f"{outcome.accepted} handset(s) taken as evidence for the next pass; {outcome.ignored} row(s) about "
          f"devices teams-sip does not track or that say nothing yet; {len(outcome.errors)} row(s) refused.")
    if outcome.unlisted:
        print(f"{outcome.unlisted} signed-in or signed-out handset(s) are not in the export: each turns stale once "
              "Microsoft's 30/14 days without contact have passed since (unless another source hears from it).")
    for error in outcome.errors:
        print(f"  row {error['row']} ({error['column']}): {error['message']}")
    return 0
