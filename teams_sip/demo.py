"""`make demo`: a whole rollout of the example spreadsheet on a simulated tenant, in seconds.

It validates examples/handsets.csv, runs the pre-flight, fixes one user's calling policy, then lives
through the install week: registration, codes from 07:00 at each site, technicians dialling codes, one
code lapsing and renewed, a personal user and a common-area account signing in. Everything it writes
(state, worksheets, mails, reports) lands in the output folder; no Microsoft tenant is touched.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from teams_sip.domain.clock import ManualClock

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
# Who each example user is in the simulated tenant (generator cases; see simulator/generate.py).
CASES = {
    "anna.berg@contoso.com": "eligible",
    "ben.okafor@contoso.com": "eligible",
    "lobby.phone@contoso.com": "common_area",
    "chloe.martin@contoso.com": "eligible_operator_connect",
    "dev.patel@contoso.com": "eligible_direct_routing",
    "emma.jones@contoso.com": "policy_not_sip",
    "farid.haddad@contoso.com": "eligible",
    "grace.lee@contoso.com": "no_phone_number",
    "hiro.tanaka@contoso.com": "eligible",
}
TECHNICIAN_SKIPS = {"ben.okafor@contoso.com"}  # Ben is out on install day: his code lapses and is renewed


def _say(title: str, body: str = "") -> None:
    print(f"\n=== {title} ===")
    if body:
        print(body.rstrip())


def run_demo(output: Path, roster_file: Path | None = None, sites_file: Path | None = None,
             echo: Callable[[str, str], None] = _say, *, assisted: bool = False) -> int:
    """`assisted`: no provisioning API and the teamwork listing retired (demo_assisted.py)."""
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import settings_from_values
    from teams_sip.entrypoints.cli.check import render as render_preflight
    from teams_sip.entrypoints.cli.validate import render_table
    from teams_sip.importing.roster_file import load_roster
    from teams_sip.service.rollout import Rollout
    from teams_sip.simulator import SimulatedTenant
    from teams_sip.simulator.connection import settings_values
    from teams_sip.simulator.generate import scenario_for_users

    roster_file = roster_file or EXAMPLES / "handsets.csv"
    sites_file = sites_file or EXAMPLES / "sites.csv"
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    data = roster_file.read_bytes()
    result = load_roster(data, roster_file.name)
    echo(f"1. Validate {roster_file.name}", render_table(result))
    users = sorted({(r.upn, r.display_name, CASES.get(r.upn or "", "eligible")) for r in result.accepted if r.upn})
    clock = ManualClock(START)
    with SimulatedTenant.start(scenario_for_users(users), clock=clock) as sim:
        values = settings_values(sim, provisioning_mode="assisted" if assisted else "api") | {
            "OUTPUT_DIR": str(output), "SQLITE_PATH": str(output / "state.sqlite3"), "SITES_FILE": str(sites_file),
            "ADMIN_CONTACTS": "teams-admin@contoso.com",
        } | ({"SIGNIN_LOGS": "on"} if assisted else {})
        if assisted:
            sim.set_teamwork(listing="retired")
        wiring = build_wiring(settings_from_values(values), clock=clock)
        try:
            rollout = Rollout(wiring)
            outcome = rollout.import_file(data, roster_file.name, actor="demo", correlation_id="demo-import")
            echo("2. Import", f"import {outcome.import_id}: {outcome.result.summary['devices']} handsets")
            _, checked = rollout.preflight(rollout.roster.current(), force=True)
            assert checked is not None
            echo("3. Pre-flight", render_preflight(checked))
            plan = rollout.fix_policies("SIPDevices", apply=False, actor="demo", correlation_id="demo-fix")
            echo("4. fix-policies (dry run)", plan.powershell())
            rollout.fix_policies("SIPDevices", apply=True, actor="demo", correlation_id="demo-fix")
            echo("   fix-policies --apply", "assigned; Teams applies it within the hour in this tenant")
            if assisted:
                from teams_sip.demo_assisted import live_the_week_assisted

                live_the_week_assisted(sim, rollout, echo)
            else:
                _live_the_week(sim, rollout, echo)
        finally:
            wiring.close()
    echo("Done", f"Worksheets, mails (outbox/), TAC/bulk sign-in files and reports are in {output}/")
    return 0


def _pass(rollout: Any, label: str, echo: Callable[[str, str], None]) -> Any:
    outcome = rollout.run_pass(actor="demo")
    ex = outcome.execution
    detail = [f"{outcome.message}; registered {len(ex.registered)}, codes issued {len(ex.issued)}"]
    detail += [f"  {c.hardware_id} [{c.site}] {c.from_state or 'new'} -> {c.to_state}: {c.cause}"
               for c in outcome.report.changes]
    detail += [f"  sign-in: {line}" for line in outcome.signin if _says_something(line)]
    echo(label, "\n".join(detail))
    return outcome


def _says_something(line: str) -> bool:
    """Sign-in summary lines that report only zeros or 'none' are left out of the demo's story."""
    return not line.endswith(": none.") and any(ch in "123456789" for ch in line)


def _codes(rollout: Any) -> dict[str, str]:
    codes: dict[str, str] = {}
    for path in rollout.ports.artifacts.list("worksheets/"):
        if path.endswith("lines.json"):
            for line in json.loads(rollout.ports.artifacts.get(path) or b"[]"):
                codes[line["hardware_id"]] = line["code"]
    return codes


def _live_the_week(sim: Any, rollout: Any, echo: Callable[[str, str], None]) -> None:
    """Two-hourly passes from the day before the first install to two days after the last."""
    _pass(rollout, f"5. {sim.clock.now():%a %d %b %H:%M} UTC: first pass (before any install day)", echo)
    rows = rollout.roster.current()
    upn_of = {r.hardware_id: r.upn for r in rows}
    personal = {r.hardware_id for r in rows if r.account_type == "personal"}
    days = sorted({r.install_date for r in rows if r.install_date})
    sim.clock.set(max(sim.clock.now(), datetime.combine(days[0], time(0), UTC) - timedelta(hours=12)))
    end = datetime.combine(days[-1], time(0), UTC) + timedelta(hours=48)
    skipped: set[str] = set()
    while sim.clock.now() < end:
        sim.clock.advance(timedelta(hours=2))
        outcome = rollout.run_pass(actor="demo")
        ex, report = outcome.execution, outcome.report
        lines = [f"{c.hardware_id} [{c.site}] -> {c.to_state}: {c.cause}" for c in report.changes]
        lines += [f"sign-in: {line}" for line in outcome.signin if _says_something(line)]
        codes = _codes(rollout)
        for code in ex.issued:
            hid = code.hardware_id
            if upn_of.get(hid) in TECHNICIAN_SKIPS and hid not in skipped:
                skipped.add(hid)
                lines.append(f"technician: {hid} not dialled today (its code will lapse and be renewed)")
                continue
            sim.dial_code(hid, codes[hid])
            lines.append(f"technician: dialled *55*<code> on {hid}")
        for change in report.changes:
            if change.to_state == "activated" and change.hardware_id in personal:
                sim.sign_in(change.hardware_id, upn_of[change.hardware_id])
                lines.append(f"user: {upn_of[change.hardware_id]} signed in at aka.ms/siplogin")
        if report.changes or ex.issued:
            echo(f"{sim.clock.now():%a %d %b %H:%M} UTC", "\n".join(f"  {line}" for line in lines))
    final = _pass(rollout, "Final pass", echo)
    echo("Run report", final.report.to_text())
