"""`teams-sip demo`: the whole rollout of the example spreadsheet on a simulated tenant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run a whole rollout of the example spreadsheet on a simulated tenant",
        description="Validates examples/handsets.csv, checks every user, fixes a calling policy, and lives "
        "through the install week on a simulated Microsoft 365 tenant: registration, just-in-time codes, "
        "technicians dialling, a lapsed code renewed, personal and bulk sign-in. Touches no real tenant.",
    )
    parser.add_argument("--output", type=Path, default=Path("output/demo"), help="folder for everything the demo "
                        "writes (emptied first; default output/demo)")
    parser.add_argument("--roster", type=Path, default=None, help="roster to use instead of the example")
    parser.add_argument("--sites", type=Path, default=None, help="sites file to use instead of the example")
    parser.add_argument("--assisted", action="store_true", help="without the provisioning API and with Graph beta "
                        "teamwork devices retired: sign-ins are learnt from the Entra sign-in logs, bulk sign-in "
                        "results and the admin center's SIP device export")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.demo import run_demo

    try:
        return run_demo(args.output, args.roster, args.sites, assisted=args.assisted)
    except (TeamsSipError, OSError) as exc:
        print(f"Demo stopped: {exc}", file=sys.stderr)
        return 2
