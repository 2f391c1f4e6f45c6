"""`teams-sip fix-policies FILE --policy NAME [--apply]`: assign a SIP-capable calling policy.

Dry run by default: shows who would get the policy and writes the equivalent PowerShell. Only
users whose calling policy is their sole problem are included. With --apply the assignments go
through Graph (getPolicyId, then userAssignments/assign in batches) and are recorded in the
state store's ledger (the one passes read), so the next `check` shows "waiting for policy" and a
repeated --apply assigns nothing twice.
Exit codes: 0 done (or nothing to do), 1 some assignments failed, 2 nothing could be done.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from teams_sip.entrypoints.cli.check import add_common_arguments, open_tenant, preflight, read_roster
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.policy_ledger import StoreLedger
from teams_sip.service.remediation import FixPlan, apply_fixes, check_target_policy, plan_fixes


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fix-policies",
        help="assign a SIP-capable calling policy to users whose policy is their only problem (dry run first)",
        description="Plan, and with --apply make, calling-policy assignments for every user of the roster whose "
        "effective calling policy is their only failing check. Writes the equivalent Grant-CsTeamsCallingPolicy "
        "lines. Changes take up to 24 hours in Teams; until then `check` shows those users as waiting for policy.",
    )
    add_common_arguments(parser)
    parser.add_argument("--policy", required=True, metavar="NAME", help="calling policy to assign (without Tag:)")
    parser.add_argument("--apply", action="store_true", help="make the assignments (default: dry run)")
    parser.add_argument(
        "--powershell", type=Path, default=Path("fix-policies.ps1"),
        help="where to write the equivalent PowerShell (default fix-policies.ps1)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    policy = str(args.policy).strip().removeprefix("Tag:")
    try:
        if not policy:
            raise InputError("--policy needs the name of a calling policy")
        users = read_roster(args.file)
        with open_tenant(args, users) as tenant:
            ledger = StoreLedger(tenant.store)
            result = preflight(args, tenant, users)
            check_target_policy(result.verdicts, policy)
            plan = plan_fixes(result.verdicts, policy, ledger.load())
            if args.apply:
                directory = tenant.directory
                plan = directory.run(apply_fixes(plan, directory.open(), ledger, tenant.clock))
        args.powershell.write_text(plan.powershell(), encoding="utf-8")
    except TeamsSipError as exc:
        print(f"fix-policies not run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"fix-policies could not write {args.powershell}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(render(plan, args.powershell))
    return 1 if any(c.status.startswith("failed") for c in plan.changes) else 0


def render(plan: FixPlan, script: Path) -> str:
    mode = "Applied" if plan.applied else "Dry run (nothing changed; add --apply to assign)"
    lines = [f"{mode}: calling policy '{plan.policy}'", ""]
    if not plan.changes:
        lines.append("No user has the calling policy as their only problem.")
    for change in plan.changes:
        lines.append(f"  {change.status:<26} {change.upn}  (now: {change.current_reason})")
    if plan.skipped:
        lines += ["", f"Not included ({len(plan.skipped)}): the policy alone would not make them eligible:"]
        lines += [f"  {upn}: {why}" for upn, why in plan.skipped]
    lines += ["", f"PowerShell equivalent written to {script}."]
    if plan.applied and any(c.status == "assigned" for c in plan.changes):
        lines.append("Teams applies policy changes within 24 hours; until then `check` shows these users as "
                     "waiting for policy.")
    return "\n".join(lines)
