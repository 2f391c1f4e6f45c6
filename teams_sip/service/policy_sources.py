"""Which source judges calling and IP phone policies, in order: configuration snapshots (documented
Graph), then the Teams admin API (undocumented, only when configured), then the admin's catalogue.

Each source that cannot answer says why in the run's label, so the report and `teams-sip check`
show both who judged and why a better source did not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from teams_sip.domain.clock import Clock
from teams_sip.domain.eligibility import PolicyCatalogue, site_egress
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.domain.sites import Site
from teams_sip.service.config_snapshots import SnapshotView
from teams_sip.service.eligibility import DEFAULT_COMMON_AREA_IP_PHONE_POLICIES, PreflightRun, load_catalogue
from teams_sip.service.ports.config_snapshots import SnapshotError
from teams_sip.service.ports.directory import PolicySettingsSource
from teams_sip.service.roster_store import RosterRow


class SnapshotSource(Protocol):
    def current(self, *, refresh: bool = False, policy_assigned_at: datetime | None = None) -> SnapshotView: ...


def load_policy_catalogue(
    snapshots: SnapshotSource | None,
    admin: PolicySettingsSource | None,
    clock: Clock,
    compliant_calling_policies: Iterable[str] = (),
    common_area_ip_phone_policies: Iterable[str] = DEFAULT_COMMON_AREA_IP_PHONE_POLICIES,
    *,
    refresh: bool = False,
    policy_assigned_at: datetime | None = None,
) -> tuple[PolicyCatalogue, str]:
    """The catalogue for one run and the line that says which source judged and how old it is."""
    compliant, cap = list(compliant_calling_policies), list(common_area_ip_phone_policies)
    notes: list[str] = []
    snapshot = None
    if snapshots is not None:
        try:
            view = snapshots.current(refresh=refresh, policy_assigned_at=policy_assigned_at)
        except SnapshotError as exc:
            notes.append(f"configuration snapshot unavailable: {exc}")
        else:
            snapshot = view.config
            if snapshot is not None and snapshot.calling_policies is not None:
                return PolicyCatalogue.build(None, None, compliant, cap, snapshot=snapshot), view.label(clock.now())
            notes.append(view.label(clock.now()) + " without calling policies")
    catalogue, label = load_catalogue(admin, compliant, cap)
    if snapshot is not None:
        catalogue = replace(catalogue, snapshot=snapshot)
    return catalogue, "; ".join([*notes, label])


def with_site_egress(run: PreflightRun, rows: Iterable[RosterRow], sites: Mapping[str, Site],
                     snapshot: TenantConfiguration | None) -> PreflightRun:
    """Adds each common-area user's site trusted-IP check (bulk sign-in sites listing egress IPs)."""
    if snapshot is None:
        return run
    site_of = {r.upn.casefold(): sites.get(r.site) for r in rows}
    verdicts = []
    for v in run.verdicts:
        site = site_of.get(v.upn.casefold())
        if site is not None and site.bulk_sign_in:
            v = site_egress.with_site_egress(v, snapshot, site.name, site.egress_ips)
        verdicts.append(v)
    counts = Counter(v.verdict.value for v in verdicts)
    summary = replace(run.summary, counts={k: counts.get(k, 0) for k in run.summary.counts})
    return replace(run, verdicts=tuple(verdicts), summary=summary, by_upn={v.upn.casefold(): v for v in verdicts})
