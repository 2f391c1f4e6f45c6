"""`teams-sip site-sheet SITE`: print what the site's installer sets, before anyone drives there."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from teams_sip.domain.readiness import DECT_SYSTEMS, identifier_help, render_site_block
from teams_sip.domain.readiness.provisioning_url import parse_tenant_id
from teams_sip.domain.sites import find_site
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.importing.sites_file import load_sites

DESCRIPTION = (
    "Print a site's provisioning settings: the SIP Gateway provisioning URL (with language and, for bulk "
    "sign-in, tenant suffix), the Poly Rove base-station settings in web-UI order, the DHCP option per "
    "desk-phone vendor, the minimum firmware, and where each vendor shows the handset identifier."
)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "site-sheet", help="print a site's base-station and phone settings", description=DESCRIPTION
    )
    parser.add_argument("site", metavar="SITE", help="site name as written in the sites file")
    parser.add_argument(
        "--sites", type=Path, default=Path("sites.csv"), metavar="FILE",
        help="sites file, CSV or JSON (default: sites.csv in the current folder)",
    )
    parser.add_argument(
        "--tenant-id", metavar="GUID", default=None,
        help="Microsoft Entra tenant id; needed for sites whose handsets use bulk sign-in",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        lines = sheet_lines(args.site, args.sites, args.tenant_id)
    except TeamsSipError as error:
        print(f"teams-sip site-sheet: {error}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def sheet_lines(name: str, sites_file: Path, tenant_id: str | None) -> list[str]:
    if tenant_id is not None:
        parse_tenant_id(tenant_id)  # a mistyped id is reported even where the site does not need it
    sites = load_sites(sites_file)
    site = find_site(sites, name)
    if site is None:
        known = ", ".join(s.name for s in sites)
        raise InputError(f"Site {name!r} is not in {sites_file}. Sites there: {known}.")
    lines = [f"Site settings: {site.name}", ""]
    lines += render_site_block(site, tenant_id)
    lines += ["", "Where to find the handset identifier (IPEI):"]
    lines += [f"- {identifier_help(system)}" for system in DECT_SYSTEMS]
    lines += ["(Identifier places are field practice, not vendor-documented; correct them in "
              "teams_sip/domain/readiness/dect_systems.py.)"]
    return lines
