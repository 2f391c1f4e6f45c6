"""The eligibility pre-flight as a use case: which users a pass asks Graph about, asking them through
the Directory port, keeping their verdicts, and fixing calling policies (fix-policies).

The judging itself is service/eligibility.py and domain/eligibility; this handler decides who is due
and where the answers go (the verdict store, the policy ledger, the audit log).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from teams_sip.domain.eligibility import PendingPolicies
from teams_sip.domain.lifecycle.inputs import Verdict
from teams_sip.domain.lifecycle.windows import RECHECK_LEAD, WindowRule, install_window
from teams_sip.domain.sites import Site
from teams_sip.errors import ConfigError
from teams_sip.service.audit import AuditLog
from teams_sip.service.config_snapshots import SnapshotPolicies
from teams_sip.service.eligibility import PreflightRun
from teams_sip.service.policy_ledger import StoreLedger
from teams_sip.service.ports.directory import DirectoryReads
from teams_sip.service.ports.wiring import Ports
from teams_sip.service.remediation import FixPlan
from teams_sip.service.roster_store import RosterRow, RosterStore
from teams_sip.service.snapshot_cache import SnapshotCache
from teams_sip.service.verdict_store import StoredVerdict, VerdictStore


class UserChecks:
    def __init__(self, ports: Ports, roster: RosterStore, verdicts: VerdictStore, audit: AuditLog,
                 sites: Callable[[list[RosterRow] | None], dict[str, Site]], window: Callable[[], WindowRule]) -> None:
        self.ports, self.roster, self.verdicts, self.audit = ports, roster, verdicts, audit
        self.sites, self.window = sites, window  # nothing a run owns is kept here: one object serves many passes

    def snapshots(self) -> SnapshotPolicies | None:
        """Policy settings from configuration snapshots, cached in the state store (None: not wired)."""
        port = self.ports.config_snapshots
        return None if port is None else SnapshotPolicies(port, SnapshotCache(self.ports.store), self.ports.clock)

    def refresh_verdicts(self, rows: list[RosterRow], *, force: bool = False,
                         sites: Mapping[str, Site] | None = None, known: dict[str, StoredVerdict] | None = None,
                         reads: DirectoryReads | None = None) -> int:
        """Runs the pre-flight for the users `due_for_check` names (everyone with `force`); `sites`
        spares re-reading the sites file when the caller already resolved them, `known` (the stored
        verdicts, brought up to date here) re-reading the verdicts; `reads` are the pass's directory
        reads, begun as the pass began (service/ports/directory.py). Answers how many were saved."""
        return self.preflight(rows, force=force, sites=sites, known=known, reads=reads)[0]

    def preflight(self, rows: list[RosterRow], *, force: bool = False, sites: Mapping[str, Site] | None = None,
                  known: dict[str, StoredVerdict] | None = None, reads: DirectoryReads | None = None,
                  refresh_policies: bool = False) -> tuple[int, PreflightRun | None]:
        """`refresh_verdicts`, also answering the pre-flight run (None when nobody was due): the
        caller keeps it (the policy source that judged is in its summary), as passes run at once on
        this object. `refresh_policies` takes a new configuration snapshot for this run."""
        if reads is None:
            with self.ports.directory.reads() as own:
                return self.preflight(rows, force=force, sites=sites, known=known, reads=own,
                                      refresh_policies=refresh_policies)
        from teams_sip.service.eligibility import roster_users, run_preflight
        from teams_sip.service.policy_sources import load_policy_catalogue, with_site_egress

        pairs = {(r.upn, r.account_type) for r in rows} if force else self.due_for_check(rows, sites, known)
        if not pairs:  # nobody to ask: no Graph session is started for it
            reads.skip()
            return 0, None
        settings, ledger = self.ports.settings, StoreLedger(self.ports.store).load()
        catalogue, label = load_policy_catalogue(
            self.snapshots(), self.ports.policy_settings(), self.ports.clock,
            settings.rollout.compliant_calling_policies, refresh=refresh_policies,
            policy_assigned_at=_last_assignment(ledger))
        run = reads.run(run_preflight(roster_users(sorted(pairs)), reads.directory(), catalogue,
                                      self.ports.clock, ledger, label))
        run = with_site_egress(run, rows, self.sites(rows) if sites is None else sites, catalogue.snapshot)
        return self.verdicts.save(run.verdicts, self.ports.clock.now(), known), run

    def pass_verdicts(self, rows: list[RosterRow], *, check: bool, force: bool, sites: Mapping[str, Site],
                      reads: DirectoryReads | None, refresh_policies: bool = False
                      ) -> tuple[dict[str, StoredVerdict], PreflightRun | None]:
        """The verdicts a pass plans with, read once: stored, then refreshed from Graph where due;
        with the pre-flight run when anyone was asked, for that pass's report."""
        known = self.verdicts.all()
        run = None
        if check:
            _, run = self.preflight(rows, force=force, sites=sites, known=known, reads=reads,
                                    refresh_policies=refresh_policies)
        return known, run

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
        now = self.ports.clock.now()
        every = timedelta(hours=self.ports.settings.rollout.verdict_recheck_hours)
        propagated: dict[str, datetime] = {}  # upn -> latest moment a policy we assigned took effect
        for entry in StoreLedger(self.ports.store).load().entries():
            if entry.effective_by <= now:
                upn = entry.upn.casefold()
                propagated[upn] = max(entry.effective_by, propagated.get(upn, entry.effective_by))
        near = _NearWindows(self.sites(rows) if sites is None else sites, self.window(), now)
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
        from teams_sip.service.remediation import apply_fixes, check_target_policy, plan_fixes

        _, run = self.preflight(self.roster.current(), force=True)
        ledger = StoreLedger(self.ports.store)
        verdicts = list(run.verdicts) if run is not None else []
        check_target_policy(verdicts, policy)
        plan = plan_fixes(verdicts, policy, ledger.load())
        if not apply:
            return plan
        directory = self.ports.directory
        applied: FixPlan = directory.run(apply_fixes(plan, directory.open(), ledger, self.ports.clock))
        self.audit.record(self.ports.clock.now(), actor, "fix-policies", policy, correlation_id,
                          {"assigned": sum(1 for c in applied.changes if c.status == "assigned")})
        self.refresh_verdicts(self.roster.current(), force=True)
        return applied


def _last_assignment(ledger: PendingPolicies) -> datetime | None:
    """When fix-policies last assigned a policy: a snapshot older than that is refreshed."""
    return max((e.assigned_at for e in ledger.entries()), default=None)


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
