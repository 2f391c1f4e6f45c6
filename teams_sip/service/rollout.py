"""The use cases every entrypoint (CLI, Functions, local server) calls, wired over the ports.

One object per process, given the `Ports` the composition root built (teams_sip/bootstrap.py). It
holds nothing a single run owns: each reconciliation pass is its own `ReconcilePass`
(service/reconcile.py) with its own leases and fence, so the passes of one worker (the queue takes
several items at once) and "Run now" never share them; a pass's pre-flight result (which policy
source judged, and its age) goes back to the pass that ran it. The other use cases are handlers of
their own: the pre-flight and fix-policies (service/user_checks.py), code renewal
(service/renewal.py), the code export (service/code_import.py), the bulk sign-in results
(service/signin_results.py), the page's views (service/views.py); this class keeps the building
blocks they share (the roster, sites, the plan's policy, the provisioning port).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager

from teams_sip.domain.lifecycle.actions import Notify, PlanPolicy
from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState, RosterEntry, Verdict
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.report import RunReport
from teams_sip.domain.lifecycle.windows import WindowRule
from teams_sip.domain.sites import Site
from teams_sip.service.audit import AuditLog
from teams_sip.service.collector import collecting_less
from teams_sip.service.device_store import DeviceStore
from teams_sip.service.eligibility import PreflightRun
from teams_sip.service.executor import Execution
from teams_sip.service.imports import ImportOutcome, import_options, import_roster
from teams_sip.service.json_text import readable_json
from teams_sip.service.observation import TeamsObserver
from teams_sip.service.pass_leases import FencedPort
from teams_sip.service.ports.directory import DirectoryReads
from teams_sip.service.ports.notifier import Message
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import Leases
from teams_sip.service.ports.wiring import Ports
from teams_sip.service.reconcile import TENANT_WIDE, PassOutcome, ReconcilePass
from teams_sip.service.remediation import FixPlan
from teams_sip.service.roster_store import RosterRow, RosterStore
from teams_sip.service.signin_stage import SignInOptions, SignInStage
from teams_sip.service.sip_inventory import InventoryReading, teamwork_note
from teams_sip.service.site_directory import resolve_sites
from teams_sip.service.user_checks import UserChecks
from teams_sip.service.verdict_store import StoredVerdict, VerdictStore

__all__ = ["TENANT_WIDE", "PassOutcome", "Rollout"]

_OBSERVED = {"waitingOnActivation": ObservedState.WAITING_ON_ACTIVATION,
             "waitingForSignIn": ObservedState.WAITING_FOR_SIGN_IN, "signedIn": ObservedState.SIGNED_IN}


class Rollout:
    def __init__(self, ports: Ports) -> None:
        self.ports = ports
        store = ports.store
        self.roster, self.devices = RosterStore(store), DeviceStore(store)
        self.verdicts, self.audit, self.leases = VerdictStore(store), AuditLog(store), Leases(store)
        self.checks = UserChecks(ports, self.roster, self.verdicts, self.audit, self.sites,
                                 lambda: self.policy().window)

    # Imports -------------------------------------------------------------------------------------
    def import_file(self, data: bytes, filename: str, *, actor: str, correlation_id: str,
                    allow_removals: bool = False, sheet: str | None = None) -> ImportOutcome:
        opts = self.ports.settings.rollout
        options = import_options(opts.import_max_mb, opts.import_max_rows, sheet)
        outcome = import_roster(data, filename, actor=actor, at=self.ports.clock.now(),
                                correlation_id=correlation_id, roster=self.roster, artifacts=self.ports.artifacts,
                                audit=self.audit, options=options, max_drops=opts.import_max_drops,
                                allow_removals=allow_removals)
        if outcome.import_id is not None:
            self.ports.directory.roster_imported(len({r.upn for r in outcome.result.accepted if r.upn}))
        return outcome

    # Building blocks -----------------------------------------------------------------------------
    def sites(self, rows: list[RosterRow] | None = None) -> dict[str, Site]:
        current = rows if rows is not None else self.roster.current()
        return resolve_sites(current, self.ports.settings.rollout.sites_file)

    def policy(self) -> PlanPolicy:
        svc = self.ports.settings.rollout
        return PlanPolicy(window=WindowRule(svc.window_opens_at, svc.window_days), max_renewals=svc.max_code_renewals,
                          remove_released_in_teams=svc.remove_released_in_teams,
                          teams_lists_pending=self.ports.settings.provisioning_mode == "api",
                          offboarding=None if self.ports.settings.provisioning_mode == "api" else Offboarding())

    def provisioning(self, fence: Callable[[], None] | None = None) -> ProvisioningPort:
        """The port a pass changes Teams through, fenced by `fence` (the pass's own leases) when given."""
        port = self.ports.registrar
        return port if fence is None else FencedPort(port, fence)

    def observe(self, records: Mapping[str, DeviceRecord] | None = None) -> InventoryReading:
        """What Teams reports now: the provisioning list (API mode) or signed-in SIP devices (assisted).
        Given the stored records, API mode lists signed-in devices in full only now and then
        (service/observation.py). `observed` None: the SIP device inventory could not be used this
        pass, and `note` says why (service/sip_inventory.py)."""
        api = self.ports.provisioning
        if api is not None and records is not None:
            return InventoryReading(TeamsObserver(api, self.ports.store).observe(records, self.ports.clock.now()))
        if api is not None:
            return InventoryReading({d.hardware_id: ObservedDevice(d.hardware_id, _OBSERVED[d.state], d.signed_in_user,
                                                                   d.last_seen, d.code_expires_at)
                                     for d in api.list_devices()})
        sources = self.ports.inventory.read(records or {}, self.ports.clock.now())
        note = teamwork_note(sources, self.ports.settings.rollout.teamwork_devices)
        return InventoryReading(sources.listing, note, sources)

    @contextmanager
    def watching_teams(self) -> Iterator[Callable[[Mapping[str, DeviceRecord]], InventoryReading]]:
        """`observe` in two steps for a pass: in API mode the long device lists start on entry, so
        they overlap the pass's own reads; the function yielded completes them given the records."""
        api = self.ports.provisioning
        if api is None:
            yield self.observe
            return
        with TeamsObserver(api, self.ports.store).watch(self.ports.clock.now()) as watch:
            yield lambda records: InventoryReading(watch.result(records))

    @contextmanager
    def reading_ahead(self, checking: bool) -> Iterator[DirectoryReads | None]:
        """The directory told a pass is starting, so it may begin reading what the pass will ask."""
        if not checking:
            yield None
            return
        with self.ports.directory.reads(pass_starting=True) as reads:
            yield reads

    def entries(self, rows: list[RosterRow], verdicts: Mapping[str, StoredVerdict] | None = None
                ) -> list[RosterEntry]:
        verdicts = self.verdicts.all() if verdicts is None else verdicts
        out = []
        for row in rows:
            stored = verdicts.get(row.upn.casefold())
            verdict = stored.verdict if stored is not None else Verdict.NEEDS_ATTENTION
            out.append(RosterEntry(row, verdict))
        return out

    # Pre-flight (service/user_checks.py) ---------------------------------------------------------
    def refresh_verdicts(self, rows: list[RosterRow], *, force: bool = False,
                         sites: Mapping[str, Site] | None = None, known: dict[str, StoredVerdict] | None = None,
                         reads: DirectoryReads | None = None) -> int:
        return self.checks.refresh_verdicts(rows, force=force, sites=sites, known=known, reads=reads)

    def preflight(self, rows: list[RosterRow], *, force: bool = False) -> tuple[int, PreflightRun | None]:
        """The pre-flight, answering how many verdicts were saved and the run (None: nobody was due)."""
        return self.checks.preflight(rows, force=force)

    def pass_verdicts(self, rows: list[RosterRow], *, check: bool, force: bool, sites: Mapping[str, Site],
                      reads: DirectoryReads | None, refresh_policies: bool = False
                      ) -> tuple[dict[str, StoredVerdict], PreflightRun | None]:
        return self.checks.pass_verdicts(rows, check=check, force=force, sites=sites, reads=reads,
                                         refresh_policies=refresh_policies)

    def due_for_check(self, rows: list[RosterRow], sites: Mapping[str, Site] | None = None,
                      stored: Mapping[str, StoredVerdict] | None = None) -> set[tuple[str, str]]:
        return self.checks.due_for_check(rows, sites, stored)

    def fix_policies(self, policy: str, *, apply: bool, actor: str, correlation_id: str) -> FixPlan:
        return self.checks.fix_policies(policy, apply=apply, actor=actor, correlation_id=correlation_id)

    # The pass ------------------------------------------------------------------------------------
    @collecting_less()  # service/collector.py: a pass's thousands of records are not rescanned over and over
    def run_pass(self, *, actor: str = "timer", correlation_id: str | None = None, check_users: bool = True,
                 check_all_users: bool = False, sites: Collection[str] | None = None,
                 refresh_policies: bool = False) -> PassOutcome:
        """The whole tenant, or with `sites` only the devices those sites own (a roster row's site, else
        the stored record's site; TENANT_WIDE = devices no roster or record places, plus sign-in), under
        one lease per site so queue workers fan out; skipped while a whole-tenant pass holds its lease.
        `check_all_users` asks Graph about every user, not only those `due_for_check` names (after an
        admin fixed licences or numbers for installs that are not near yet); `refresh_policies` takes a
        new configuration snapshot if this pass asks anyone (run --refresh-policies). Each call runs its own
        `ReconcilePass` (service/reconcile.py), so passes at once in this process share nothing."""
        run = ReconcilePass(self, actor=actor, correlation=correlation_id or uuid.uuid4().hex[:16], sites=sites,
                            refresh_policies=refresh_policies)
        return run.run(check_users=check_users, check_all_users=check_all_users)

    def notify(self, notices: list[Notify], sites: Mapping[str, Site]) -> None:
        per_site: dict[str, list[Notify]] = {}
        for notice in notices:
            per_site.setdefault(notice.site, []).append(notice)
        admins = self.ports.settings.rollout.admin_contacts
        for site_name, items in sorted(per_site.items()):
            site = sites.get(site_name)
            to = tuple(dict.fromkeys((*(site.contacts if site else ()), *admins)))
            if not to:
                continue
            text = "\n".join(f"- {n.message}" for n in items)
            self.ports.notifier.send(Message(to=to, subject=f"teams-sip: {len(items)} handset(s) at {site_name} "
                                                            "need a person", text=text, category="attention"))

    def signin_stage(self, sites: Mapping[str, Site] | None = None) -> SignInStage:
        svc = self.ports
        return SignInStage(svc.store, svc.notifier, svc.artifacts, svc.clock,
                           tuple((sites if sites is not None else self.sites()).values()), bulk=svc.bulk_signin,
                           options=SignInOptions(admin_contacts=svc.settings.rollout.admin_contacts))

    def traffic(self) -> tuple[int, int]:
        """(requests, throttled) so far, counting each request inside a $batch as throttling does."""
        return self.ports.traffic()

    def keep(self, report: RunReport, execution: Execution, signin: list[str], actor: str,
              correlation: str, *, latest: bool = True, traffic: tuple[int, ...] = (0, 0),
              preflight: PreflightRun | None = None) -> None:
        """Stores the pass's report; `preflight` is that pass's own pre-flight (None: nobody was asked)."""
        from teams_sip.observability import record_pass

        record_pass(report.by_state, len(execution.issued), traffic[0], traffic[1])

        body = report.to_dict()
        body["execution"] = {"saved": execution.saved, "conflicts": execution.conflicts,
                             "registered": len(execution.registered), "codes_issued": len(execution.issued),
                             "awaiting_admin": len(execution.awaiting_admin),
                             "failures": [{"hardware_id": h, "reason": r} for h, r in execution.failures]}
        body["signin"] = signin
        body["requests"] = {"sent": traffic[0], "throttled": traffic[1]}
        if preflight is not None:  # which source judged the policies, and how old it is
            body["policySource"] = preflight.summary.policy_source
        data = readable_json(body)
        stamp = report.generated_at.strftime("%Y%m%dT%H%M%S")
        self.ports.artifacts.put(f"reports/{stamp}-{correlation}.json", data, "application/json")
        if latest:  # a one-site pass reports only its own devices
            self.ports.artifacts.put("reports/latest.json", data, "application/json")
        self.audit.record(report.generated_at, actor, "reconcile", "pass", correlation,
                          {"actions": report.actions, "codes_issued": len(execution.issued),
                           "failures": len(execution.failures)})
