"""Sites: where handsets are installed. A site fixes the region (which SIP Gateway provisioning
server its phones use), the time zone that install windows are computed in, and who receives
the worksheets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Region(StrEnum):
    """SIP Gateway regions, spelled as bulk sign-in's `-Region` parameter spells them."""

    APAC = "APAC"
    EMEA = "EMEA"
    NOAM = "NOAM"

    @classmethod
    def parse(cls, text: str) -> Region | None:
        """Accepts the admin's spellings (`emea`, `Americas`, `NA`, ...); None when unknown."""
        key = text.strip().upper().replace(" ", "")
        return _REGION_ALIASES.get(key)


_REGION_ALIASES: dict[str, Region] = {
    "APAC": Region.APAC,
    "ASIAPACIFIC": Region.APAC,
    "EMEA": Region.EMEA,
    "EUROPE": Region.EMEA,
    "NOAM": Region.NOAM,
    "NA": Region.NOAM,
    "NAM": Region.NOAM,
    "AMERICAS": Region.NOAM,
    "NORTHAMERICA": Region.NOAM,
}


@dataclass(frozen=True)
class Site:
    name: str
    region: Region | None = None
    time_zone: str = "UTC"
    contacts: tuple[str, ...] = field(default_factory=tuple)
    language: str | None = None
    bulk_sign_in: bool = False
    egress_ips: tuple[str, ...] = ()  # public egress addresses or CIDR ranges (bulk sign-in's trusted IPs)


def site_key(name: str) -> str:
    """How site names are matched: case and spacing do not matter (`berlin  hq` is `Berlin HQ`)."""
    return " ".join(name.split()).casefold()


def sites_by_key(sites: Iterable[Site]) -> dict[str, Site]:
    """The sites by `site_key`, for looking up many names; like `find_site`, the first of a name wins."""
    out: dict[str, Site] = {}
    for site in sites:
        out.setdefault(site_key(site.name), site)
    return out


def find_site(sites: Iterable[Site], name: str) -> Site | None:
    wanted = site_key(name)
    return next((site for site in sites if site_key(site.name) == wanted), None)
