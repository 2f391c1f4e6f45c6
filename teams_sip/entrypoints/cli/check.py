"""`teams-sip check FILE [--json]`: the eligibility pre-flight for every user of a roster.

Settings (COMPLIANT_CALLING_POLICIES, POLICY_ADMIN_BASE_URL, the state store) are read as every
other command and the Functions app read them, through the composition root (teams_sip/bootstrap.py);
policy changes `fix-policies` made are read from the state store's ledger, as a pass reads them.

Exit codes: 0 every user eligible, 1 some users blocked, needing attention or waiting for a
policy, 2 the file, the settings or the tenant could not be used (nothing was checked).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from teams_sip.domain.clock import Clock
from teams_sip.domain.eligibility import UserVerdict
from teams_sip.domain.roster import ImportRefused
from teams_sip.entrypoints.cli.progress import Progress
from teams_sip.errors import TeamsSipError
from teams_sip.service.eligibility import (
    DEFAULT_COMMON_AREA_IP_PHONE_POLICIES,
    PreflightRun,
    RosterUser,
    group_by_reason,
    roster_users,
    run_preflight,
)
from teams_sip.service.policy_ledger import StoreLedger
from teams_sip.service.ports.wiring import Ports


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="roster spreadsheet (.csv or .xlsx)")
    parser.add_argument(
        "--compliant-policy", action="append", default=[], metavar="NAME",
        help="a calling policy known to have AllowSIPDevicesCalling True and AllowCallRedirect Enabled "
        "(repeatable; added to COMPLIANT_CALLING_POLICIES); used when the Teams admin API cannot be read",
    )  # fmt: skip
    parser.add_argument(
        "--common-area-ip-phone-policy", action="append", default=[], metavar="NAME",
        help="an IP phone policy with SignInMode CommonAreaPhoneSignIn (repeatable; CommonAreaPhone is known)",
    )  # fmt: skip
    parser.add_argument(
        "--refresh-policies", action="store_true",
        help="take a new configuration snapshot of the tenant's policies now instead of using the cached one",
    )  # fmt: skip
    parser.add_argument(
        "--simulator", action="store_true",
        help="run against an in-process simulated tenant seeded with the roster's users (no Microsoft tenant)",
    )  # fmt: skip


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="check every user of a roster before any device is registered",
        description="Eligibility pre-flight: for every user of the roster, check the account, licences "
        "(Teams, Teams Phone, PSTN), the primary number, the effective calling policy (AllowSIPDevicesCalling, "
        "AllowCallRedirect) and, for common-area accounts, the bulk sign-in prerequisites. Prints the users "
        "grouped by reason, with counts. Read-only. Exit code 0 when every user is eligible, 1 otherwise, "
        "2 when nothing could be checked.",
    )
    add_common_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print verdicts, checks and the run summary as JSON")
    parser.set_defaults(handler=run)


def read_roster(path: Path) -> list[RosterUser]:
    from teams_sip.entrypoints.cli.files import read_roster_bytes
    from teams_sip.importing.options import ImportOptions
    from teams_sip.importing.roster_file import load_roster

    result = load_roster(read_roster_bytes(path, ImportOptions().max_bytes), path.name)
    pairs = [(r.upn, r.account_type.value) for r in result.accepted if r.upn]
    if not pairs:
        raise ImportRefused(f"{path.name} has no accepted rows with a UPN; run `teams-sip validate {path}`.")
    return roster_users(pairs)


@contextmanager
def open_tenant(args: argparse.Namespace, users: list[RosterUser]) -> Iterator[Ports]:
    """The ports of the composition root, from the same settings every other command and the
    Functions app read (a simulated tenant's, with a store that lives as long as the command, with
    --simulator)."""
    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings

    if args.simulator:
        with simulated_tenant(users) as (settings, clock):
            wiring = build_wiring(settings, clock=clock, in_memory=True)
            try:
                yield wiring
            finally:
                wiring.close()
        return
    wiring = build_wiring(load_settings())
    try:
        yield wiring
    finally:
        wiring.close()


def preflight(args: argparse.Namespace, tenant: Ports, users: list[RosterUser]) -> PreflightRun:
    """Judged as a pass judges: the configuration snapshot (the state store's cached one, or a job
    waited for), then COMPLIANT_CALLING_POLICIES (plus any --compliant-policy) and the policy settings
    source the settings name, and the state store's ledger of policy changes."""
    from teams_sip.service.policy_sources import load_policy_catalogue

    catalogue, source = load_policy_catalogue(
        _waited_snapshots(tenant), tenant.policy_settings(), tenant.clock,
        [*tenant.settings.rollout.compliant_calling_policies, *args.compliant_policy],
        [*DEFAULT_COMMON_AREA_IP_PHONE_POLICIES, *args.common_area_ip_phone_policy],
        refresh=getattr(args, "refresh_policies", False),
    )
    pending = StoreLedger(tenant.store).load()  # read only: a check changes only the snapshot cache
    directory = tenant.directory
    result: PreflightRun = directory.run(run_preflight(users, directory.open(), catalogue, tenant.clock, pending,
                                                       source))
    return result


@dataclass
class _Waited:
    """A one-shot check waits for a snapshot job instead of judging without one."""

    snapshots: Any
    sleep: Any

    def current(self, *, refresh: bool = False, policy_assigned_at: Any = None) -> Any:
        return self.snapshots.wait(self.sleep, refresh=refresh)


def _waited_snapshots(tenant: Ports) -> _Waited | None:
    """The snapshot source over the store's cache (the simulator's throwaway one with --simulator)."""
    from teams_sip.service.config_snapshots import SnapshotPolicies
    from teams_sip.service.snapshot_cache import SnapshotCache

    port = tenant.config_snapshots
    if port is None:
        return None
    return _Waited(SnapshotPolicies(port, SnapshotCache(tenant.store), tenant.clock), _sleeper(tenant.clock))


def _sleeper(clock: Clock) -> Any:
    import time
    from datetime import timedelta

    from teams_sip.domain.clock import ManualClock

    if isinstance(clock, ManualClock):
        return lambda seconds: clock.advance(timedelta(seconds=seconds))
    return time.sleep


def run(args: argparse.Namespace) -> int:
    try:
        users = read_roster(args.file)
        with open_tenant(args, users) as tenant, Progress().stage(f"Pre-flight of {len(users):,} user(s)"):
            result = preflight(args, tenant, users)
    except TeamsSipError as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}))
        print(f"Check not run: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(as_json(result), indent=2) if args.json else render(result))
    return 0 if result.summary.counts.get("eligible", 0) == result.summary.users else 1


def verdict_json(v: UserVerdict) -> dict[str, Any]:
    return {
        "upn": v.upn,
        "alsoWrittenAs": list(v.also_written_as),
        "accountType": v.account_kind,
        "verdict": v.verdict.value,
        "reason": v.main_reason,
        "checks": [
            {"check": c.check, "outcome": c.outcome.value, "reason": c.reason, "remedy": c.remedy}
            | ({"waitingUntil": c.waiting_until.isoformat()} if c.waiting_until else {})
            for c in v.checks
        ],
        "verifyYourself": [{"item": x.item, "where": x.where} for x in v.verify_yourself],
    }


def as_json(result: PreflightRun) -> dict[str, Any]:
    s = result.summary
    return {
        "summary": {
            "users": s.users,
            "verdicts": s.counts,
            "graphRequests": s.usage.budget_requests,
            "httpRequests": s.usage.http_requests,
            "batchInnerRequests": s.usage.batch_inner_requests,
            "throttled": s.usage.throttled,
            "requestsPerUser": round(s.requests_per_user, 3),
            "seconds": round(s.seconds, 3),
            "policySource": s.policy_source,
            "caseDuplicates": [list(d) for d in s.case_duplicates],
        },
        "groups": [
            {"verdict": g.verdict.value, "reason": g.reason, "remedy": g.remedy, "count": len(g.upns),
             "users": list(g.upns)}
            for g in group_by_reason(result.verdicts)
        ],
        "users": [verdict_json(v) for v in result.verdicts],
    }


def render(result: PreflightRun) -> str:
    s = result.summary
    lines = [f"Eligibility pre-flight: {s.users} users"]
    current = None
    for group in group_by_reason(result.verdicts):
        if group.verdict is not current:
            current = group.verdict
            lines += ["", f"{current.value.upper().replace('_', ' ')} ({s.counts[current.value]})"]
        lines.append(f"  {len(group.upns):>4}  {group.reason}")
        if group.remedy:
            lines.append(f"        fix: {group.remedy}")
        shown = ", ".join(group.upns[:5]) + (f", ... {len(group.upns) - 5} more" if len(group.upns) > 5 else "")
        lines.append(f"        {shown}")
    cap = next((v for v in result.verdicts if v.verify_yourself), None)
    if cap is not None:
        lines += ["", "Common-area accounts: verify yourself (the service cannot see these):"]
        lines += [f"  - {x.item}: {x.where}" for x in cap.verify_yourself]
    for spellings in s.case_duplicates:
        lines.append(f"Note: {' and '.join(spellings)} are the same account (UPNs ignore case); checked once.")
    u = s.usage
    lines += [
        "",
        f"Graph: {u.budget_requests} requests ({u.http_requests} HTTP round trips, {u.batch_inner_requests} inside "
        f"$batch), {s.requests_per_user:.2f} per user, {u.throttled} throttled, {s.seconds:.1f} s.",
        f"Calling-policy settings: {s.policy_source}.",
    ]
    return "\n".join(lines)


_TENANT_SETTINGS = ("TENANT_ID", "CLIENT_", "AUTH_MODE", "AUTHORITY_HOST", "INSTANCE_DISCOVERY", "GRAPH_",
                    "PROVISIONING_", "BULK_SIGNIN_", "POLICY_ADMIN_", "CA_BUNDLE", "STATE_STORE", "TABLES_", "SQLITE_")
"""Settings that name a tenant and how to reach it: the simulated tenant supplies its own."""


def roster_scenario(users: list[RosterUser]) -> Any:
    """A simulated tenant whose accounts are the roster's UPNs, with the generator's realistic mix
    of problems (one of each cause first): personal rows get personal cases, common-area rows
    common-area cases."""
    from dataclasses import replace

    from teams_sip.domain.eligibility import AccountKind
    from teams_sip.simulator.scenario import Scenario

    generated = Scenario.generate(len(users) + 20, seed=4)
    shared = [u for u in generated.users if u.case.startswith("common_area")]
    personal = [u for u in generated.users if not u.case.startswith("common_area")]
    chosen, seen = [], set()
    for n, user in enumerate(users):
        key = user.upn.casefold()
        if key in seen:
            continue
        seen.add(key)
        pool = shared if user.kind is AccountKind.COMMON_AREA else personal
        template = pool.pop(0) if len(pool) > 1 else pool[0]
        chosen.append(replace(template, upn=user.upn, id=f"{template.id[:-6]}{n:06d}"))
    return replace(generated, users=tuple(chosen))


@contextmanager
def simulated_tenant(users: list[RosterUser]) -> Iterator[tuple[Any, Clock]]:
    """Start an in-process simulated tenant for the roster and yield settings that point at it: the
    environment's and local.settings.json's values (COMPLIANT_CALLING_POLICIES, ...) with the
    tenant's connection values over them."""
    from teams_sip.config import load_values, settings_from_values
    from teams_sip.simulator import SimulatedTenant
    from teams_sip.simulator.connection import settings_values

    with SimulatedTenant.start(roster_scenario(users)) as sim:
        own = {k: v for k, v in load_values().items() if not k.startswith(_TENANT_SETTINGS)}
        values = own | settings_values(sim, provisioning_mode="assisted")
        yield settings_from_values(values), sim.clock
