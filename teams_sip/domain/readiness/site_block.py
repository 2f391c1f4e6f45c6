"""The block of settings that tops a site's worksheet and that `teams-sip site-sheet` prints.

Two forms of the same content: (label, value) pairs, which the HTML worksheet escapes and lays
out, and plain text lines. Building either refuses a site that cannot be provisioned (no region;
bulk sign-in without a tenant id) instead of printing a URL that would send phones nowhere.
"""

from __future__ import annotations

from collections import defaultdict

from teams_sip.domain.readiness.desk_phones import DESK_PHONE_DHCP
from teams_sip.domain.readiness.minimum_firmware import MINIMUM_FIRMWARE
from teams_sip.domain.readiness.provisioning_url import (
    HANDSET_CONFIG_TEMPLATE,
    LANGUAGES,
    handset_config_file,
    parse_language,
    provisioning_url,
)
from teams_sip.domain.readiness.rove_base import APPROVED_ROVE_RELEASE, RoveRelease, rove_base_settings
from teams_sip.domain.sites import Region, Site
from teams_sip.errors import InputError


class SiteNotReadyError(InputError):
    """The site's record lacks something its phones need; the message says what to add."""


def site_provisioning_url(site: Site, tenant_id: str | None) -> str:
    if site.region is None:
        regions = ", ".join(region.value for region in Region)
        raise SiteNotReadyError(
            f"Site {site.name!r} has no region, so teams-sip cannot tell which SIP Gateway provisioning server "
            f"its phones use. Add a region ({regions}) to the site in the sites file."
        )
    if site.bulk_sign_in and not (tenant_id or "").strip():
        raise SiteNotReadyError(
            f"Site {site.name!r} uses bulk sign-in, so its provisioning URL must carry the tenant id. "
            "Give the tenant id (teams-sip site-sheet --tenant-id GUID)."
        )
    return provisioning_url(site.region, site.language or None, tenant_id if site.bulk_sign_in else None)


def _language(site: Site) -> str:
    code = parse_language(site.language) if site.language else None
    return f"{LANGUAGES[code]} (/lang_{code})" if code else "device default (no /lang_ suffix)"


def _minimum_firmware_summary() -> str:
    """Per vendor, each minimum Microsoft lists with its models (long model runs shortened)."""
    by_vendor: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in MINIMUM_FIRMWARE:
        if row.verified and row.version:
            by_vendor[row.vendor][row.version].append(row.model)
    parts = []
    for vendor, versions in by_vendor.items():
        shown = [f"{_models(models)}: {version} or later" for version, models in versions.items()]
        parts.append(f"{vendor} {', '.join(shown)}")
    return ("; ".join(parts) + "; Yealink: no minimum listed (approved versions are guidance); models not on "
            "Microsoft's compatible-device list: not checked")


def _models(models: list[str]) -> str:
    return ", ".join(models) if len(models) <= 6 else f"{models[0]} to {models[-1]} ({len(models)} models)"


HARDWARE_ID_RULES = ("Poly Rove: \"00\" + the 10-hex IPEI (field practice for Poly Rove, not a Microsoft rule); "
                     "other DECT vendors: no known rule, check the first handset's id in Teams admin center")


def site_block_items(
    site: Site, tenant_id: str | None, release: RoveRelease = APPROVED_ROVE_RELEASE
) -> list[tuple[str, str]]:
    """(label, value) pairs in reading order; values are plain text for the renderer to escape."""
    url = site_provisioning_url(site, tenant_id)
    region = site.region.value if site.region else ""
    items = [
        ("Site", f"{site.name} ({region}, time zone {site.time_zone})"),
        ("Provisioning URL", url),
        ("Device language", _language(site)),
        (
            "Bulk sign-in",
            "yes: the URL carries the tenant id; the site's public IPs must be trusted IPs 24 h before"
            if site.bulk_sign_in
            else "not used at this site",
        ),
        ("Poly Rove handsets request", f"{HANDSET_CONFIG_TEMPLATE} (IPEI 03717C0E0A asks for "
                                       f"{handset_config_file('03717C0E0A')}; field practice, not a Microsoft rule)"),
        ("Handset hardware id in Teams", HARDWARE_ID_RULES),
    ]
    items += [
        (f"Poly Rove base: {setting.section} > {setting.name}", setting.shown())
        for setting in rove_base_settings(url, release)
    ]
    for option in sorted({entry.option for entry in DESK_PHONE_DHCP}, reverse=True):
        entries = [entry for entry in DESK_PHONE_DHCP if entry.option == option]
        plain = [entry.vendor for entry in entries if not entry.url_suffix]
        parts = [f"{', '.join(plain)}: {url}"] if plain else []
        parts += [f"{entry.vendor}: {entry.value(url)}" for entry in entries if entry.url_suffix]
        items.append((f"Desk phones: DHCP option {option}", "; ".join(parts)))
    items.append(("Minimum firmware", _minimum_firmware_summary()))
    return items


def render_site_block(site: Site, tenant_id: str | None) -> list[str]:
    """The text lines for a worksheet's top or the console."""
    return [f"{label}: {value}" for label, value in site_block_items(site, tenant_id)]
