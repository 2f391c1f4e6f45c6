"""Running one reconciliation pass. A `ReconcilePass` is created for each run and dropped after it:
the leases it holds and their fence, its correlation id and its traffic counters belong to that run
alone, so passes running at once in one process (the queue trigger takes several work items
together; the timer and an admin's "Run now" may meet) never share them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from teams_sip.domain.lifecycle.actions import Notify
from teams_sip.domain.lifecycle.plan import plan as make_plan
from teams_sip.domain.lifecycle.report import RunReport, build_report
from teams_sip.service.eligibility import PreflightRun
from teams_sip.service.executor import Execution, Executor
from teams_sip.service.observation import TeamsObserver
from teams_sip.service.pass_leases import PassLeases, pass_owner
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import LeaseLostError
from teams_sip.service.signin_summary import SignInSummary
from teams_sip.service.worksheet_delivery import WorksheetDelivery

if TYPE_CHECKING:
    from teams_sip.service.rollout import Rollout

TENANT_WIDE = ""  # the work item for devices no site owns (drift) and the sign-in stage
LOST = "this pass took too long and another pass took over; it stopped before calling Teams again"


@dataclass(frozen=True)
class PassOutcome:
    ran: bool
    report: RunReport | None
    execution: Execution | None
    message: str
    signin: tuple[str, ...] = ()


class ReconcilePass:
    """One pass over the whole tenant (`sites` None) or over the devices the named sites own."""

    def __init__(self, rollout: Rollout, *, actor: str, correlation: str, sites: Collection[str] | None,
                 refresh_policies: bool = False) -> None:
        self.rollout, self.actor, self.correlation = rollout, actor, correlation
        self.refresh_policies = refresh_policies  # this pass takes a new configuration snapshot
        self.preflight: PreflightRun | None = None  # this pass's own pre-flight, for its report
        self.wanted = None if sites is None else set(sites)
        self.leases = PassLeases(rollout.leases, pass_owner(correlation), rollout.ports.clock.now)
        self.traffic_before = (0, 0)

    def provisioning(self) -> ProvisioningPort:
        """The port this pass changes Teams through, fenced by this pass's own leases."""
        return self.rollout.provisioning(self.leases.fence)

    def traffic(self) -> tuple[int, ...]:
        """(requests, throttled) since this pass took its leases. The counts are the process's
        (Ports.traffic), so passes running at once in one process each include the other's."""
        return tuple(after - before for after, before in zip(self.rollout.traffic(), self.traffic_before, strict=True))

    def run(self, *, check_users: bool, check_all_users: bool) -> PassOutcome:
        if not self.leases.acquire(self.wanted):
            return PassOutcome(False, None, None, self.leases.refusal())
        self.traffic_before = self.rollout.traffic()
        try:
            return self._run(check_users, check_all_users)
        except LeaseLostError:
            return PassOutcome(False, None, None, LOST)
        finally:
            self.leases.release()

    def _run(self, check_users: bool, check_all_users: bool) -> PassOutcome:
        r, wanted, clock = self.rollout, self.wanted, self.rollout.ports.clock
        with (r.watching_teams() as observe, r.reading_ahead(check_users) as ahead,
              ThreadPoolExecutor(max_workers=1) as pool):
            # Graph (the users) and the provisioning service (the devices) are asked at the same
            # time; the plan needs both, so the pass waits for the slower one, not for their sum.
            all_rows = r.roster.current()
            rows = all_rows if wanted is None else [row for row in all_rows if row.site in wanted]
            site_map = r.sites(all_rows)
            checking = pool.submit(r.pass_verdicts, rows, check=check_users, force=check_all_users,
                                   sites=site_map, reads=ahead, refresh_policies=self.refresh_policies)
            stored = {d.record.hardware_id: d for d in r.devices.all()}
            seen = observe({h: s.record for h, s in stored.items()})
            verdicts, self.preflight = checking.result()
        observed = seen.observed
        if wanted is not None:
            owner = {row.hardware_id: row.site for row in all_rows}
            owner.update({h: s.record.site for h, s in stored.items() if h not in owner})
            stored = {h: s for h, s in stored.items() if owner[h] in wanted}
            if observed is not None:
                observed = {h: o for h, o in observed.items() if owner.get(h, TENANT_WIDE) in wanted}
        now = clock.now()
        inventory = seen.sources
        if inventory is not None and wanted is not None:
            inventory.keep_only(set(stored))
        plan = make_plan(r.entries(rows, verdicts), {h: s.record for h, s in stored.items()}, observed,
                         site_map, now, r.policy(), None if inventory is None else inventory.evidence)
        settings = r.ports.settings
        delivery = WorksheetDelivery(r.ports.artifacts, r.ports.notifier, sites=site_map,
                                     roster={row.hardware_id: row for row in rows}, tenant_id=settings.tenant_id,
                                     now=clock.now, admin_contacts=settings.rollout.admin_contacts)
        execution = Executor(r.devices, self.provisioning(), delivery, fingerprint_key=r.ports.fingerprint_key,
                             calls_at_once=settings.http.max_concurrency).run(plan, stored)
        if inventory is not None:
            inventory.commit(r.ports.store, now)
        if r.ports.provisioning is not None:
            TeamsObserver(r.ports.provisioning, r.ports.store).expect(len(execution.registered))
        r.notify(plan.of_type(Notify), site_map)
        signin = SignInSummary()
        if wanted is None or TENANT_WIDE in wanted:  # every record is in `after` only for the whole tenant
            signin = r.signin_stage(site_map).run(execution.after.values() if wanted is None else None)
        before = {h: s.record for h, s in stored.items()}
        report = build_report(before, execution.after, now, plan.actions)
        notes = tuple(line for line in (seen.note, inventory.line if inventory is not None else "") if line)
        if notes:  # each said once, in the report of the pass
            report = dataclasses.replace(report, notes=notes)
        r.keep(report, execution, signin.lines(), self.actor, self.correlation, latest=wanted is None,
               traffic=self.traffic(), preflight=self.preflight)
        return PassOutcome(True, report, execution, f"{len(plan.actions)} action(s)", tuple(signin.lines()))
