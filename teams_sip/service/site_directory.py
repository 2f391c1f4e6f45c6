"""Which sites exist and how each is set up: the sites file wins, and the roster's own columns (region,
time zone, site contact) fill in sites the file does not name. A site nobody gave a region stays
without one, and the lifecycle refuses to issue its codes (readiness says why)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from teams_sip.domain.sites import Region, Site, site_key, sites_by_key
from teams_sip.service.roster_store import RosterRow


def resolve_sites(rows: Iterable[RosterRow], sites_file: Path | None) -> dict[str, Site]:
    """Sites keyed by their name as the roster spells it."""
    from teams_sip.importing.sites_file import load_sites

    known = sites_by_key(load_sites(sites_file) if sites_file is not None else ())
    out: dict[str, Site] = {}
    for row in rows:
        if row.site in out:
            continue
        configured = known.get(site_key(row.site))
        if configured is not None:
            out[row.site] = configured
            continue
        region = Region.parse(row.region) if row.region else None
        contacts = tuple(c.strip() for c in row.site_contact.replace(";", ",").split(",") if c.strip())
        out[row.site] = Site(row.site, region, row.time_zone or "UTC", contacts)
    return out
