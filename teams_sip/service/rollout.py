"""The rollout service: the use cases every entrypoint (CLI, Functions, local server) calls.

One object per process, built from `Services`. A reconciliation pass holds a lease, so two Function
instances (or the timer and an admin's "run now") never run the same pass twice at once.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from teams_sip.bootstrap import Services
from teams_sip.domain.lifecycle.actions import Notify, PlanPolicy
from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState, RosterEntry, Verdict
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.plan import plan as make_plan
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.report import RunReport, build_report
from teams_sip.domain.lifecycle.windows import RECHECK_LEAD, WindowRule, install_window
from teams_sip.domain.sites import Site
from teams_sip.errors import ConfigError
from teams_sip.service.audit import AuditLog
from teams_sip.service.collector import collecting_less
from teams_sip.service.device_store import DeviceStore
from teams_sip.service.eligibility import PreflightRun
from teams_sip.service.executor import Execution, Executor
from teams_sip.service.imports import ImportOutcome, import_options, import_roster
from teams_sip.service.inventory import InventoryPass
from teams_sip.service.json_text import readable_json
from teams_sip.service.listing_ahead import expect_listing, listing_ahead, remember_listing
from teams_sip.service.observation import TeamsObserver
from teams_sip.service.pass_leases import FencedPort, PassLeases
from teams_sip.service.policy_ledger import StoreLedger
from teams_sip.service.ports.notifier import Message
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import LeaseLostError, Leases
from teams_sip.service.remediation import FixPlan
from teams_sip.service.roster_store import RosterRow, RosterStore
from teams_sip.service.signin_stage import SignInOptions, SignInStage
from teams_sip.service.signin_summary import SignInSummary
from teams_sip.service.sip_inventory import teamwork_note
from teams_sip.service.site_directory import resolve_sites
from teams_sip.service.verdict_store import StoredVerdict, VerdictStore
from teams_sip.service.worksheet_delivery import WorksheetDelivery

if TYPE_CHECKING:
    from teams_sip.adapters.graph.config_reads import RunningListing

TENANT_WIDE = ""  # the work item for devices no site owns (drift) and the sign-in stage

_OBSERVED = {"waitingOnActivation": ObservedState.WAITING_ON_ACTIVATION,
             "waitingForSignIn": ObservedState.WAITING_FOR_SIGN_IN, "signedIn": ObservedState.SIGNED_IN}


@dataclass(frozen=True)
class PassOutcome:
    ran: bool
    report: RunReport | None
    execution: Execution | None
    message: str
    signin: tuple[str, ...] = ()


class Rollout:
    def __init__(self, services: Services) -> None:
        self.services = services
        store = services.store
        self.roster, self.devices = RosterStore(store), DeviceStore(store)
        self.verdicts, self.audit, self.leases = VerdictStore(store), AuditLog(store), Leases(store)
        self.last_preflight: PreflightRun | None = None
        self._inventory = threading.local()  # per thread: passes of different sites may run at once
        self._fence: Callable[[], None] | None = None

    @property
    def inventory_note(self) -> str | None:
        """Why this thread's last observation had no SIP device inventory (None: it had one)."""
        note: str | None = getattr(self._inventory, "note", None)
        return note

    # Imports -------------------------------------------------------------------------------------
    def import_file(self, data: bytes, filename: str, *, actor: str, correlation_id: str) -> ImportOutcome:
        opts = self.services.settings.service
        outcome = import_roster(data, filename, actor=actor, at=self.services.clock.now(),
                                correlation_id=correlation_id, roster=self.roster, artifacts=self.services.artifacts,
                                audit=self.audit, options=import_options(opts.import_max_mb, opts.import_max_rows))
        if outcome.import_id is not None:
            expect_listing(self.services.store, len({r.upn for r in outcome.result.accepted if r.upn}))
        return outcome

    # Building blocks -----------------------------------------------------------------------------
    def sites(self, rows: list[RosterRow] | None = None) -> dict[str, Site]:
        current = rows if rows is not None else self.roster.current()
        return resolve_sites(current, self.services.settings.service.sites_file)

    def policy(self) -> PlanPolicy:
        svc = self.services.settings.service
        return PlanPolicy(window=WindowRule(svc.window_opens_at, svc.window_days), max_renewals=svc.max_code_renewals,
                          remove_released_in_teams=svc.remove_released_in_teams,
                          teams_lists_pending=self.services.settings.provisioning_mode == "api",
                          offboarding=None if self.services.settings.provisioning_mode == "api" else Offboarding())

    def provisioning(self) -> ProvisioningPort:
        """The port a pass changes Teams through; during a pass, fenced by the pass's leases."""
        port = self.services.provisioning
        if port is None:
            from teams_sip.adapters.provisioning.assisted import AssistedProvisioning

            port = AssistedProvisioning(self.services.artifacts, self.services.notifier,
                                        self.services.settings.service.admin_contacts, self.services.clock.now)
        return port if self._fence is None else FencedPort(port, self._fence)

    def observe(self, records: Mapping[str, DeviceRecord] | None = None) -> dict[str, ObservedDevice] | None:
        """What Teams reports now: the provisioning list (API mode) or signed-in SIP devices (assisted).
        Given the stored records, API mode lists signed-in devices in full only now and then
        (service/observation.py). None: the SIP device inventory could not be used this pass
        (`inventory_note` says why; service/sip_inventory.py)."""
        self._inventory.note = self._inventory.reading = None
        api = self.services.provisioning
        if api is not None and records is not None:
            return TeamsObserver(api, self.services.store).observe(records, self.services.clock.now())
        if api is not None:
            return {d.hardware_id: ObservedDevice(d.hardware_id, _OBSERVED[d.state], d.signed_in_user, d.last_seen,
                                                  d.code_expires_at) for d in api.list_devices()}
        reading = self.services.inventory.read(records or {}, self.services.clock.now())
        self._inventory.reading = reading
        self._inventory.note = teamwork_note(reading, self.services.settings.service.teamwork_devices)
        return reading.listing

    def _inventory_reading(self, hardware_ids: Collection[str] | None) -> InventoryPass | None:
        """This thread's inventory reading (assisted mode), kept to the pass's own handsets."""
        reading: InventoryPass | None = getattr(self._inventory, "reading", None)
        if reading is not None and hardware_ids is not None:
            reading.keep_only(hardware_ids)
        return reading

    @contextmanager
    def watching_teams(self) -> Iterator[Callable[[Mapping[str, DeviceRecord]], dict[str, ObservedDevice] | None]]:
        """`observe` in two steps for a pass: in API mode the long device lists start on entry, so
        they overlap the pass's own reads; the function yielded completes them given the records."""
        api = self.services.provisioning
        if api is None:
            yield self.observe
            return
        with TeamsObserver(api, self.services.store).watch(self.services.clock.now()) as watch:
            yield watch.result

    @contextmanager
    def _listing_ahead(self, checking: bool) -> Iterator[RunningListing | None]:
        """The tenant's configuration listing, begun as the pass begins (listing_ahead.py)."""
        if not checking:
            yield None
            return
        with listing_ahead(self.services.graph, self.services.store) as ahead:
            yield ahead

    def entries(self, rows: list[RosterRow], verdicts: Mapping[str, StoredVerdict] | None = None
                ) -> list[RosterEntry]:
        verdicts = self.verdicts.all() if verdicts is None else verdicts
        out = []
        for row in rows:
            stored = verdicts.get(row.upn.casefold())
            verdict = stored.verdict if stored is not None else Verdict.NEEDS_ATTENTION
            out.append(RosterEntry(row.hardware_id, row.kind, row.upn, row.display_name, row.account_type, row.site,
                                   row.install_date, verdict))
        return out

    def refresh_verdicts(self, rows: list[RosterRow], *, force: bool = False,
                         sites: Mapping[str, Site] | None = None, known: dict[str, StoredVerdict] | None = None,
                         ahead: RunningListing | None = None) -> int:
        """Runs the pre-flight for the users `due_for_check` names (everyone with `force`); `sites`
        spares re-reading the sites file when the caller already resolved them, `known` (the stored
        verdicts, brought up to date here) re-reading the verdicts; `ahead` is the pass's listing
        begun early (taken if a listing pays, else stopped)."""
        from teams_sip.service.eligibility import load_catalogue, roster_users, run_preflight

        pairs = {(r.upn, r.account_type) for r in rows} if force else self.due_for_check(rows, sites, known)
        store = self.services.store
        if not pairs:  # nobody to ask: no Graph session is started for it
            if ahead is not None:
                self.services.graph.run(ahead.stop())
            remember_listing(store, 0)
            return 0
        from teams_sip.adapters.graph.directory import GraphDirectory
        from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings

        settings = self.services.settings
        source = TeamsAdminPolicySettings(settings, self.services.tokens) if settings.policy_admin_base_url else None
        catalogue, label = load_catalogue(source, settings.service.compliant_calling_policies)
        session = self.services.graph
        directory = GraphDirectory(session.client, ahead=ahead)
        run = session.run(run_preflight(roster_users(sorted(pairs)), directory, catalogue,
                                        self.services.clock, StoreLedger(store).load(), label))
        remember_listing(store, directory.listed_chains)
        self.last_preflight = run
        return self.verdicts.save(run.verdicts, self.services.clock.now(), known)

    def _pass_verdicts(self, rows: list[RosterRow], *, check: bool, force: bool, sites: Mapping[str, Site],
                       ahead: RunningListing | None) -> dict[str, StoredVerdict]:
        """The verdicts a pass plans with, read once: stored, then refreshed from Graph where due."""
        known = self.verdicts.all()
        if check:
            self.refresh_verdicts(rows, force=force, sites=sites, known=known, ahead=ahead)
        return known

    def due_for_check(self, rows: list[RosterRow], sites: Mapping[str, Site] | None = None,
                      stored: Mapping[str, StoredVerdict] | None = None) -> set[tuple[str, str]]:
        """(upn, account type) of users a pass asks Graph about: never checked, checked under another
        account type, waiting for a policy the ledger says has taken effect since, or not eligible,
        last checked VERDICT_RECHECK_HOURS ago and with a handset whose install window is near (from a
        day before it opens until it closes; no install date or no usable site time zone counts as
        near). Eligible users are not asked again. A blocked user's verdict changes nothing for a
        handset installed next week, and re-asking thousands of them every day was most of a pass's
        Graph traffic; a pass with `check_all_users` and fix-policies still ask everyone at once."""
        stored = self.verdicts.all() if stored is None else stored
        now = self.services.clock.now()
        every = timedelta(hours=self.services.settings.service.verdict_recheck_hours)
        propagated: dict[str, datetime] = {}  # upn -> latest moment a policy we assigned took effect
        for entry in StoreLedger(self.services.store).load().entries():
            if entry.effective_by <= now:
                upn = entry.upn.casefold()
                propagated[upn] = max(entry.effective_by, propagated.get(upn, entry.effective_by))
        near = _NearWindows(self.sites(rows) if sites is None else sites, self.policy().window, now)
        due = set()
        for row in rows:
            upn = row.upn.casefold()
            verdict = stored.get(upn)
            if (verdict is None or (verdict.account_kind and verdict.account_kind != row.account_type)
                    or (verdict.verdict != Verdict.ELIGIBLE
                        and ((now - verdict.checked_at >= every and near(row))
                             or (upn in propagated and verdict.checked_at < propagated[upn])))):
                due.add((row.upn, row.account_type))
        return due

    def fix_policies(self, policy: str, *, apply: bool, actor: str, correlation_id: str) -> FixPlan:
        """Dry run unless `apply`: which users would get `policy`; applied changes go to the ledger."""
        from teams_sip.adapters.graph.directory import GraphDirectory
        from teams_sip.service.remediation import apply_fixes, check_target_policy, plan_fixes

        self.refresh_verdicts(self.roster.current(), force=True)
        run = self.last_preflight
        ledger = StoreLedger(self.services.store)
        verdicts = list(run.verdicts) if run is not None else []
        check_target_policy(verdicts, policy)
        plan = plan_fixes(verdicts, policy, ledger.load())
        if not apply:
            return plan
        session = self.services.graph
        applied: FixPlan = session.run(apply_fixes(plan, GraphDirectory(session.client), ledger, self.services.clock))
        self.audit.record(self.services.clock.now(), actor, "fix-policies", policy, correlation_id,
                          {"assigned": sum(1 for c in applied.changes if c.status == "assigned")})
        self.refresh_verdicts(self.roster.current(), force=True)
        return applied

    # The pass ------------------------------------------------------------------------------------
    @collecting_less()  # service/collector.py: a pass's thousands of records are not rescanned over and over
    def run_pass(self, *, actor: str = "timer", correlation_id: str | None = None, check_users: bool = True,
                 check_all_users: bool = False, sites: Collection[str] | None = None) -> PassOutcome:
        """The whole tenant, or with `sites` only the devices those sites own (a roster row's site, else
        the stored record's site; TENANT_WIDE = devices no roster or record places, plus sign-in), under
        one lease per site so queue workers fan out; skipped while a whole-tenant pass holds its lease.
        `check_all_users` asks Graph about every user, not only those `due_for_check` names (after an
        admin fixed licences or numbers for installs that are not near yet)."""
        clock, correlation = self.services.clock, correlation_id or uuid.uuid4().hex[:16]
        wanted = None if sites is None else set(sites)
        guard = PassLeases(self.leases, correlation, clock.now)
        if not guard.acquire(wanted):
            return PassOutcome(False, None, None, "another reconciliation pass is running; this one was skipped")
        self._fence = guard.fence
        sent_before = self._traffic()
        try:
            with (self.watching_teams() as observe, self._listing_ahead(check_users) as ahead,
                  ThreadPoolExecutor(max_workers=1) as pool):
                # Graph (the users) and the provisioning service (the devices) are asked at the same
                # time; the plan needs both, so the pass waits for the slower one, not for their sum.
                all_rows = self.roster.current()
                rows = all_rows if wanted is None else [r for r in all_rows if r.site in wanted]
                site_map = self.sites(all_rows)
                checking = pool.submit(self._pass_verdicts, rows, check=check_users, force=check_all_users,
                                       sites=site_map, ahead=ahead)
                stored = {d.record.hardware_id: d for d in self.devices.all()}
                observed = observe({h: s.record for h, s in stored.items()})
                verdicts = checking.result()
            if wanted is not None:
                owner = {r.hardware_id: r.site for r in all_rows}
                owner.update({h: s.record.site for h, s in stored.items() if h not in owner})
                stored = {h: s for h, s in stored.items() if owner[h] in wanted}
                if observed is not None:
                    observed = {h: o for h, o in observed.items() if owner.get(h, TENANT_WIDE) in wanted}
            now = clock.now()
            inventory = self._inventory_reading(None if wanted is None else set(stored))
            plan = make_plan(self.entries(rows, verdicts), {h: s.record for h, s in stored.items()}, observed,
                             site_map, now, self.policy(), None if inventory is None else inventory.evidence)
            delivery = WorksheetDelivery(self.services.artifacts, self.services.notifier, sites=site_map,
                                         roster={r.hardware_id: r for r in rows},
                                         tenant_id=self.services.settings.tenant_id, now=clock.now,
                                         admin_contacts=self.services.settings.service.admin_contacts)
            execution = Executor(self.devices, self.provisioning(), delivery,
                                 calls_at_once=self.services.settings.http.max_concurrency).run(plan, stored)
            if inventory is not None:
                inventory.commit(self.services.store, now)
            if self.services.provisioning is not None:
                TeamsObserver(self.services.provisioning, self.services.store).expect(len(execution.registered))
            self._notify(plan.of_type(Notify), site_map)
            signin = SignInSummary()
            if wanted is None or TENANT_WIDE in wanted:  # every record is in `after` only for the whole tenant
                signin = self.signin_stage(site_map).run(execution.after.values() if wanted is None else None)
            before = {h: s.record for h, s in stored.items()}
            report = build_report(before, execution.after, now, plan.actions)
            notes: tuple[str, ...] = (self.inventory_note,) if observed is None and self.inventory_note else ()
            if inventory is not None and inventory.line:
                notes += (inventory.line,)
            if notes:
                report = dataclasses.replace(report, notes=notes)
            traffic = tuple(after - before for after, before in zip(self._traffic(), sent_before, strict=True))
            self._keep(report, execution, signin.lines(), actor, correlation, latest=wanted is None, traffic=traffic)
            return PassOutcome(True, report, execution, f"{len(plan.actions)} action(s)", tuple(signin.lines()))
        except LeaseLostError:
            return PassOutcome(False, None, None, "this pass took too long and another pass took over; it stopped "
                                                  "before calling Teams again")
        finally:
            self._fence = None
            guard.release()

    def _notify(self, notices: list[Notify], sites: Mapping[str, Site]) -> None:
        per_site: dict[str, list[Notify]] = {}
        for notice in notices:
            per_site.setdefault(notice.site, []).append(notice)
        admins = self.services.settings.service.admin_contacts
        for site_name, items in sorted(per_site.items()):
            site = sites.get(site_name)
            to = tuple(dict.fromkeys((*(site.contacts if site else ()), *admins)))
            if not to:
                continue
            text = "\n".join(f"- {n.message}" for n in items)
            self.services.notifier.send(Message(to=to, subject=f"teams-sip: {len(items)} handset(s) at {site_name} "
                                                            "need a person", text=text, category="attention"))

    def signin_stage(self, sites: Mapping[str, Site] | None = None) -> SignInStage:
        svc = self.services
        return SignInStage(svc.store, svc.notifier, svc.artifacts, svc.clock,
                           tuple((sites if sites is not None else self.sites()).values()), bulk=svc.bulk_signin,
                           options=SignInOptions(admin_contacts=svc.settings.service.admin_contacts))

    def ingest_signin_results(self, data: bytes, *, actor: str, correlation_id: str) -> SignInSummary:
        summary = self.signin_stage().ingest_result_file(data)
        self.audit.record(self.services.clock.now(), actor, "signin-results", "bulk sign-in", correlation_id,
                          {"lines": len(summary.lines())})
        return summary

    def _traffic(self) -> tuple[int, int]:
        """(requests, throttled) so far, counting each request inside a $batch as throttling does."""
        m = self.services.metrics
        return m.requests + m.batch_inner_requests, m.throttled + m.inner_throttled

    def _keep(self, report: RunReport, execution: Execution, signin: list[str], actor: str,
              correlation: str, *, latest: bool = True, traffic: tuple[int, ...] = (0, 0)) -> None:
        from teams_sip.observability import record_pass

        record_pass(report.by_state, len(execution.issued), traffic[0], traffic[1])

        body = report.to_dict()
        body["execution"] = {"saved": execution.saved, "conflicts": execution.conflicts,
                             "registered": len(execution.registered), "codes_issued": len(execution.issued),
                             "awaiting_admin": len(execution.awaiting_admin),
                             "failures": [{"hardware_id": h, "reason": r} for h, r in execution.failures]}
        body["signin"] = signin
        body["requests"] = {"sent": traffic[0], "throttled": traffic[1]}
        data = readable_json(body)
        stamp = report.generated_at.strftime("%Y%m%dT%H%M%S")
        self.services.artifacts.put(f"reports/{stamp}-{correlation}.json", data, "application/json")
        if latest:  # a one-site pass reports only its own devices
            self.services.artifacts.put("reports/latest.json", data, "application/json")
        self.audit.record(report.generated_at, actor, "reconcile", "pass", correlation,
                          {"actions": report.actions, "codes_issued": len(execution.issued),
                           "failures": len(execution.failures)})


@dataclass(frozen=True)
class _NearWindows:
    """Whether a roster row's install window is near enough for its user's verdict to matter."""

    sites: Mapping[str, Site]
    rule: WindowRule
    now: datetime

    def __call__(self, row: RosterRow) -> bool:
        site = self.sites.get(row.site)
        if row.install_date is None or site is None:
            return True
        try:
            window = install_window(row.install_date, site.time_zone, self.rule)
        except ConfigError:
            return True
        return window.is_near(self.now, RECHECK_LEAD)
