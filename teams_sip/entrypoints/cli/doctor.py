"""`teams-sip doctor [--json] [--markdown FILE] [--roster FILE] [--create-snapshot] [--simulator]`:
read-only probes of every assumption teams-sip makes about the tenant, each confirmed, contradicted,
not available or skipped, with a remedy. Exit codes: 0 nothing contradicted or unavailable, 1
otherwise, 2 not run. `--create-snapshot` is the one write: a configuration snapshot job (Microsoft
deletes it after 7 days), to see the snapshot layout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError
from teams_sip.service.doctor import DoctorReport, run_doctor
from teams_sip.service.doctor.render import render_markdown, render_text

SIMULATED_USERS = 200
SIMULATED_DEVICES = 45


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check every assumption teams-sip makes against the tenant (read-only)",
        description="Read-only probes of the tenant: sign-in and permissions, users, Teams user configurations, "
        "policy ids, the SIP device inventory, the Teams admin API, configuration snapshots, the sign-in logs and "
        "throttling. Each probe says confirmed, "
        "contradicted (what was seen instead), not available (why) or skipped, with a remedy. The report holds "
        "shapes and counts, never names, addresses, ids, numbers or tokens. Exit code 0 when nothing is "
        "contradicted or unavailable, 1 otherwise, 2 when the doctor could not run.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report as markdown to FILE")
    parser.add_argument("--roster", type=Path, metavar="FILE", help="look up this roster's first users")
    parser.add_argument("--policy", metavar="NAME", help="calling policy getPolicyId is asked for "
                        "(default: the first of COMPLIANT_CALLING_POLICIES, else Global)")
    parser.add_argument("--create-snapshot", action="store_true",
                        help="also create one configuration snapshot job (the doctor's only write) to see the "
                        "snapshot layout; the job stays in the tenant until Microsoft deletes it after 7 days")
    parser.add_argument("--simulator", action="store_true",
                        help="run against an in-process simulated tenant (no Microsoft tenant)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        users = _roster(args.roster) if args.roster else []
        with _settings(args.simulator, users) as (settings, wait):
            report = diagnose(settings, tuple(u.upn for u in users), args.policy,
                              create_snapshot=args.create_snapshot, wait=wait)
        if args.markdown:
            args.markdown.write_text(render_markdown(report) + "\n", encoding="utf-8")
    except (TeamsSipError, OSError) as exc:
        print(f"Doctor not run: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_json(), indent=2) if args.json else render_text(report))
    return 0 if report.healthy else 1


def diagnose(settings: Any, upns: tuple[str, ...] = (), policy: str | None = None, *,
             create_snapshot: bool = False, wait: Callable[[float], None] | None = None) -> DoctorReport:
    from teams_sip.bootstrap import build_doctor

    port, options = build_doctor(settings, roster_upns=upns, policy=policy, create_snapshot=create_snapshot,
                                 wait=wait)
    try:
        return run_doctor(port, options)
    finally:
        port.close()


def _roster(path: Path) -> list[Any]:
    from teams_sip.entrypoints.cli.check import read_roster

    return list(read_roster(path))


def _scenario(users: list[Any]) -> Any:
    """The simulated tenant: the roster's users (as `check --simulator` seeds them), else a generated mix."""
    from teams_sip.entrypoints.cli.check import roster_scenario
    from teams_sip.simulator import Scenario

    if users:
        return roster_scenario(users)
    return Scenario.generate(users=SIMULATED_USERS, seed=0, devices=SIMULATED_DEVICES)


@contextmanager
def _settings(simulated: bool, users: list[Any]) -> Iterator[tuple[Any, Callable[[float], None] | None]]:
    """The settings, and how to wait between snapshot polls (None: real time; the simulated tenant's
    clock is moved instead, so its job finishes without the CLI sleeping)."""
    if not simulated:
        from teams_sip.config import load_settings

        yield load_settings(), None
        return
    from teams_sip.config import settings_from_values
    from teams_sip.simulator import SimulatedTenant
    from teams_sip.simulator.connection import settings_values

    with SimulatedTenant.start(_scenario(users)) as sim:

        def wait(seconds: float) -> None:
            sim.clock.advance(timedelta(seconds=seconds))

        yield settings_from_values(settings_values(sim, provisioning_mode="assisted")), wait
