"""The partner's fleet view: one line per customer tenant, read from that tenant's own Rollout.

A partner looks after many tenants and needs one place that says where each stands: handsets per
state, today's and tomorrow's installs, what needs a person, whether the inventory sources answer,
and when the last pass ran. Each line comes only from its tenant's ports, so the view cannot mix
tenants; a tenant whose state cannot be read gets a line with the reason, never hides the others.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.errors import TeamsSipError
from teams_sip.service.rollout import Rollout
from teams_sip.service.views import Views, zone_of

RECONCILE = "reconcile"


def fleet_view(tenants: Iterable[tuple[str, Callable[[], Rollout]]]) -> dict[str, Any]:
    """`tenants`: (name, how to get that tenant's Rollout) for every tenant the caller may see, in
    the order to show them. Getting a Rollout may fail (a tenant's settings are wrong): its line says so."""
    lines = []
    for name, rollout_of in tenants:
        try:
            lines.append({"tenant": name} | tenant_line(rollout_of()))
        except TeamsSipError as exc:
            lines.append({"tenant": name, "error": str(exc)})
    totals: Counter[str] = Counter()
    for line in lines:
        totals.update(line.get("counts", {}))
    order = [s.value for s in DeviceState]
    return {"tenants": lines, "counts": {s: totals[s] for s in order if totals[s]}}


def tenant_line(rollout: Rollout) -> dict[str, Any]:
    """One tenant's figures: counts by state, installs today and tomorrow (each site's own date),
    handsets that need a person, the inventory's health line and the last pass."""
    summary = Views(rollout).summary()
    now = rollout.ports.clock.now()
    counts: Counter[str] = Counter()
    for site in summary["sites"]:
        counts.update(site["counts"])
    order = [s.value for s in DeviceState]
    return {
        "counts": {s: counts[s] for s in order if counts[s]},
        "installs_today": sum(t["devices"] for t in summary["today"]),
        "installs_tomorrow": _installs_on(rollout, now, days_ahead=1),
        "needs_person": len(summary["attention"]),
        "inventory": summary["inventory"]["line"] or "all sources answering",
        "last_pass": last_pass(rollout, now),
    }


def _installs_on(rollout: Rollout, now: datetime, *, days_ahead: int) -> int:
    zones = {name: site.time_zone for name, site in rollout.sites().items()}
    count = 0
    for stored in rollout.devices.all():
        record = stored.record
        if record.install_date is None:
            continue
        local: date = now.astimezone(zone_of(zones.get(record.site, "UTC"))).date()
        if record.install_date == local + timedelta(days=days_ahead):
            count += 1
    return count


def last_pass(rollout: Rollout, now: datetime) -> dict[str, Any] | None:
    """The newest reconciliation in the audit log of this month or the one before (None: no pass yet)."""
    first_of_month = now.replace(day=1)
    for month in (now.strftime("%Y-%m"), (first_of_month - timedelta(days=1)).strftime("%Y-%m")):
        passes = [e for e in rollout.audit.entries(month) if e.action == RECONCILE]
        if passes:
            newest = max(passes, key=lambda e: e.at)
            return {"at": newest.at.isoformat(), "actor": newest.actor} | {
                k: newest.details.get(k) for k in ("actions", "codes_issued", "failures") if k in newest.details}
    return None
