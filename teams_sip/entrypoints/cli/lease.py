"""`teams-sip lease show` and `teams-sip lease break`: who holds the reconciliation pass leases, and a
way to free one a crashed pass left behind without waiting for it to lapse.

`break` is a dry run unless `--yes`: it lists what it would free. Breaking the lease of a pass that
is still running is safe for Teams: that pass's next fence finds its lease gone and stops before it
calls Teams again (service/pass_leases.py); the pass is lost, not duplicated.
Exit codes: 0 done (or nothing held), 1 a dry run found leases to break, 2 settings or store errors.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lease",
        help="show or break the reconciliation pass leases (after a crashed pass)",
        description="Show who holds the reconciliation pass leases and until when, or break them so the "
        "next pass can run at once after a crash. `break` only lists what it would free unless --yes.",
    )
    parser.add_argument("action", choices=("show", "break"), help="show the held leases, or break them")
    parser.add_argument("--site", metavar="NAME", help="only this site's pass lease (as the queue workers take)")
    parser.add_argument("--yes", action="store_true", help="with break: really break them (default: dry run)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings
    from teams_sip.service.pass_leases import PASS_LEASE, held_pass_leases
    from teams_sip.service.ports.store import Leases

    wiring = None
    try:
        wiring = build_wiring(load_settings())
        leases = Leases(wiring.store)
        held = held_pass_leases(leases, wiring.clock.now(), args.site)
        if not held:
            print("No reconciliation pass lease is held" + (f" for {args.site}." if args.site else "."))
            return 0
        for lease in held:
            what = "whole tenant" if lease.name == PASS_LEASE else (args.site or "one site")
            print(f"{lease.name} ({what}): held by {lease.owner} until {lease.expires_at:%Y-%m-%d %H:%M:%S} UTC")
        if args.action == "show":
            return 0
        if not args.yes:
            print(f"Dry run: {len(held)} lease(s) would be broken. If no pass is running (it crashed), "
                  "run again with --yes; a pass still running stops before its next Teams call.")
            return 1
        broken = sum(1 for lease in held if leases.release(lease))
        print(f"Broke {broken} lease(s); the next pass can run now.")
        return 0
    except TeamsSipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if wiring is not None:
            wiring.close()
