"""`teams-sip check FILE [--json]`: the eligibility pre-flight for every user of a roster.

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

from teams_sip.domain.clock import Clock, SystemClock
from teams_sip.domain.eligibility import PendingPolicies, UserVerdict
from teams_sip.domain.roster import ImportRefused
from teams_sip.errors import TeamsSipError
from teams_sip.service.eligibility import (
    DEFAULT_COMMON_AREA_IP_PHONE_POLICIES,
    PreflightRun,
    RosterUser,
    group_by_reason,
    roster_users,
    run_preflight,
)

DEFAULT_LEDGER = Path("teams-sip-policy-changes.json")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="roster spreadsheet (.csv or .xlsx)")
    parser.add_argument(
        "--compliant-policy", action="append", default=[], metavar="NAME",
        help="a calling policy known to have AllowSIPDevicesCalling True and AllowCallRedirect Enabled "
        "(repeatable); used when the Teams admin API cannot be read",
    )  # fmt: skip
    parser.add_argument(
        "--common-area-ip-phone-policy", action="append", default=[], metavar="NAME",
        help="an IP phone policy with SignInMode CommonAreaPhoneSignIn (repeatable; CommonAreaPhone is known)",
    )  # fmt: skip
    parser.add_argument(
        "--ledger", type=Path, default=DEFAULT_LEDGER,
        help=f"file of calling-policy changes made by fix-policies (default {DEFAULT_LEDGER})",
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
    from teams_sip.importing.roster_file import load_roster

    try:
        result = load_roster(path.read_bytes(), path.name)
    except OSError as exc:
        raise ImportRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    pairs = [(r.upn, r.account_type.value) for r in result.accepted if r.upn]
    if not pairs:
        raise ImportRefused(f"{path.name} has no accepted rows with a UPN; run `teams-sip validate {path}`.")
    return roster_users(pairs)


@dataclass
class Tenant:
    """The Graph-side objects one command needs, for a real tenant or the simulator."""

    directory: Any
    policy_source: Any
    clock: Clock
    session: Any
    snapshots: Any = None  # SnapshotPolicies over the state store's cache
    sleep: Any = None  # waits on the command's clock while a snapshot job runs


@contextmanager
def open_tenant(args: argparse.Namespace, users: list[RosterUser]) -> Iterator[Tenant]:
    from teams_sip.adapters.auth import build_token_provider
    from teams_sip.adapters.graph.blocking import GraphSession
    from teams_sip.adapters.graph.directory import GraphDirectory
    from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings
    from teams_sip.config import load_settings

    with _settings(args, users, load_settings) as (settings, clock):
        tokens = build_token_provider(settings, clock)
        policy_source = TeamsAdminPolicySettings(settings, tokens) if settings.policy_admin_base_url else None
        session = GraphSession(settings, tokens)
        snapshots, close_snapshots = _snapshots(args, settings, tokens, clock)
        try:
            yield Tenant(GraphDirectory(session.client), policy_source, clock, session, snapshots, _sleeper(clock))
        finally:
            session.close()
            close_snapshots()
            if policy_source is not None:
                policy_source.close()


def _snapshots(args: argparse.Namespace, settings: Any, tokens: Any, clock: Clock) -> tuple[Any, Any]:
    """The snapshot source with the service's own cache (a throwaway one against the simulator)."""
    from teams_sip.adapters.graph.config_snapshots import GraphConfigurationSnapshots
    from teams_sip.adapters.store.factory import open_state_store
    from teams_sip.adapters.store.memory import MemoryStateStore
    from teams_sip.service.config_snapshots import SnapshotPolicies
    from teams_sip.service.snapshot_cache import SnapshotCache

    client = GraphConfigurationSnapshots(settings, tokens)
    store = MemoryStateStore() if args.simulator else open_state_store(settings)
    return SnapshotPolicies(client, SnapshotCache(store), clock), client.close


def _sleeper(clock: Clock) -> Any:
    import time
    from datetime import timedelta

    from teams_sip.domain.clock import ManualClock

    if isinstance(clock, ManualClock):
        return lambda seconds: clock.advance(timedelta(seconds=seconds))
    return time.sleep


@contextmanager
def _settings(args: argparse.Namespace, users: list[RosterUser], load: Any) -> Iterator[tuple[Any, Clock]]:
    if not args.simulator:
        yield load(), SystemClock()
        return
    with simulated_tenant(users) as (settings, clock):
        yield settings, clock


def load_ledger(path: Path) -> PendingPolicies:
    from teams_sip.entrypoints.cli.fix_policies import JsonFileLedger

    return JsonFileLedger(path).load()


def preflight(args: argparse.Namespace, tenant: Tenant, users: list[RosterUser]) -> PreflightRun:
    from teams_sip.service.policy_sources import load_policy_catalogue

    snapshots = tenant.snapshots
    if snapshots is not None and tenant.sleep is not None:
        snapshots = _Waited(snapshots, tenant.sleep)
    catalogue, source = load_policy_catalogue(
        snapshots, tenant.policy_source, tenant.clock,
        args.compliant_policy,
        [*DEFAULT_COMMON_AREA_IP_PHONE_POLICIES, *args.common_area_ip_phone_policy],
        refresh=getattr(args, "refresh_policies", False),
    )
    pending = load_ledger(args.ledger)
    work = run_preflight(users, tenant.directory, catalogue, tenant.clock, pending, source)
    result: PreflightRun = tenant.session.run(work)
    return result


@dataclass
class _Waited:
    """A one-shot check waits for a snapshot job instead of judging without one."""

    snapshots: Any
    sleep: Any

    def current(self, *, refresh: bool = False, policy_assigned_at: Any = None) -> Any:
        return self.snapshots.wait(self.sleep, refresh=refresh)


def run(args: argparse.Namespace) -> int:
    try:
        users = read_roster(args.file)
        with open_tenant(args, users) as tenant:
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
    """Start an in-process simulated tenant for the roster and yield settings that point at it."""
    from teams_sip.config import settings_from_values
    from teams_sip.simulator import SimulatedTenant
    from teams_sip.simulator.connection import settings_values

    with SimulatedTenant.start(roster_scenario(users)) as sim:
        values = settings_values(sim, provisioning_mode="assisted")
        yield settings_from_values(values), sim.clock
