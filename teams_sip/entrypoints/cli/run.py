"""`teams-sip run --once`: one reconciliation pass over the whole tenant, as the timer would run it,
for admins without the Functions app (a scheduled task) and for trying settings out.

Exit codes: 0 the pass ran and nothing failed or waits for a person; 1 it ran, but some handsets
failed or need a person (the report says which); 2 it could not run (settings, another pass running).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run one reconciliation pass (register, issue codes in the install window, track sign-in)",
        description="Run one reconciliation pass over every imported roster with the settings from the "
        "environment or local.settings.json, and print the run report. Exit code 0 when nothing failed or "
        "needs a person, 1 when some handsets failed or need a person, 2 when the pass could not run.",
    )
    parser.add_argument("--once", action="store_true", required=True,
                        help="run a single pass and exit (the Functions app runs passes on its timer)")
    parser.add_argument("--json", action="store_true", help="print the run report as JSON")
    checks = parser.add_mutually_exclusive_group()
    checks.add_argument("--skip-user-checks", action="store_true",
                        help="reuse stored eligibility verdicts instead of asking Graph again")
    checks.add_argument("--check-all-users", action="store_true",
                        help="ask Graph about every user again, not only those due (after fixing licences or numbers)")
    parser.add_argument("--refresh-policies", action="store_true",
                        help="take a new configuration snapshot of the tenant's policies when this pass checks users")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings
    from teams_sip.entrypoints.cli.progress import Progress
    from teams_sip.observability import configure_logging
    from teams_sip.service.rollout import Rollout

    configure_logging("WARNING")
    wiring = None
    try:
        wiring = build_wiring(load_settings())
        rollout = Rollout(wiring)
        with Progress().stage("Reconciliation pass"):
            outcome = rollout.run_pass(actor="cli", check_users=not args.skip_user_checks,
                                       check_all_users=args.check_all_users, refresh_policies=args.refresh_policies)
    except TeamsSipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if wiring is not None:
            wiring.close()
    if not outcome.ran or outcome.report is None or outcome.execution is None:
        print(f"error: {outcome.message}", file=sys.stderr)
        return 2
    report, execution = outcome.report, outcome.execution
    if args.json:
        body = report.to_dict() | {"signin": list(outcome.signin), "failures": [
            {"hardware_id": h, "reason": r} for h, r in execution.failures]}
        print(json.dumps(body, indent=2, default=str))
    else:
        print(report.to_text(), end="")
        for hardware_id, reason in execution.failures:
            print(f"Failed: {hardware_id}: {reason}")
        for line in outcome.signin:
            print(line)
    return 1 if execution.failures or report.needs_person else 0
