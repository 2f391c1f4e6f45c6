"""Microsoft's compatible-device list for the DECT systems teams-sip knows: ONE table, each row with
its minimum and approved firmware as the "Plan for SIP Gateway" article lists them.

Rows for models in dect_systems.py that the article does not list carry `listed=False`; the import
flags them as not on Microsoft's compatible-device list rather than presenting them as supported.
Yealink's rows list only an approved version, which the check uses as guidance, never as a minimum.
Every figure here is checked against the article; see docs/microsoft.md, "Compatible devices and
firmware".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS, DeviceKind
from teams_sip.domain.readiness.firmware_version import FirmwareVersion, parse_firmware

PLAN_ARTICLE = "Microsoft's \"Plan for SIP Gateway\" article"
"""Where every figure comes from: its compatible-devices table (OfficeDocs-SkypeForBusiness,
Teams/devices/sip-gateway-plan.md)."""
NOT_LISTED = "not on Microsoft's compatible-device list"


@dataclass(frozen=True)
class MinimumFirmware:
    vendor: str
    model: str
    kind: DeviceKind
    version: str | None  # Microsoft's minimum, when it lists one
    source: str | None
    approved: str | None = None  # Microsoft's approved version(s), as listed
    listed: bool = True  # on Microsoft's compatible-device list
    listed_as: str | None = None  # the article's name when it differs from ours

    @property
    def verified(self) -> bool:
        return self.version is not None and self.source is not None

    @property
    def minimum(self) -> FirmwareVersion | None:
        return parse_firmware(self.version) if self.verified and self.version else None

    @property
    def approved_floor(self) -> FirmwareVersion | None:
        """The lowest approved version (Yealink lists one per region): the guidance for rows without a minimum."""
        found = [v for v in map(parse_firmware, re.findall(r"[0-9][0-9.]*[0-9]", self.approved or "")) if v]
        return min(found) if found else None


def _rows(vendor: str, kind: DeviceKind, models: str, minimum: str | None, approved: str | None,
          listed_as: str | None = None) -> list[MinimumFirmware]:
    source = PLAN_ARTICLE if minimum is not None else None
    return [MinimumFirmware(vendor, model, kind, minimum, source, approved, True, listed_as)
            for model in models.split(", ")]


B, H = DeviceKind.BASE, DeviceKind.HANDSET
_LISTED: list[MinimumFirmware] = [
    *_rows("Poly Rove", B, "B1, B2, B4", "8.0.5.0002", "8.0.5.0002"),
    *_rows("Poly Rove", H, "Rove 30, Rove 40", "8.0.5.0002", "8.0.5.0002"),
    *_rows("Poly Rove", H, "Rove 20", "8.0.5.0003", "8.0.5.0003"),
    *_rows("Spectralink", H, "7202, 7212, 7502, 7522, 7532, 7622, 7642, 7722, 7742", "PCS22B", "PCS22D"),
    *_rows("Spectralink", H, "S33, S35, S37", "PCS23Ca", "PCS24G"),
    *_rows("Spectralink", B, "IP-DECT Server 400, IP-DECT Server 6500, Virtual IP-DECT Server One",
           "PCS22Ab", "PCS24B"),
    *_rows("Ascom", H, "d43, d63", "2.11.4", "3.0.8"),
    *_rows("Ascom", H, "d81", "4.13.1", "4.17.3"),
    *_rows("Ascom", H, "d83", "1.3.2", "1.5.5"),
    *_rows("Ascom", B, "IPBS2, IPBS3", "11.8.8", "11.9.11", "IP-DECT Access Point IPBSx"),
    *_rows("Ascom", B, "IPBL", "11.8.8", "11.9.11", "IP-DECT Gateway IPBL"),
    *_rows("Ascom", B, "IPVM", "11.8.8", "11.9.11", "IP-DECT Virtual Appliance IPVM"),
    *_rows("Gigaset", B, "N610 IP PRO, N670 IP PRO, N870 IP PRO, N870E IP PRO, N870 VI PRO", "2.52.0", "2.52.0"),
    # "All Gigaset PRO DECT handset models are compatible"; they take firmware over the air from the base.
    *_rows("Gigaset", H, "R700H PRO, S700H PRO, SL800H PRO", None, None, "all Gigaset PRO DECT handsets"),
    *_rows("Yealink", H, "W56H", None, "61.85.0.56"),
    *_rows("Yealink", H, "W73H", None, "116.85.0.38"),
    *_rows("Yealink", H, "W57R", None, "118.85.0.27"),
    *_rows("Yealink", H, "W59R", None, "115.85.0.56"),
    *_rows("Yealink", B, "W70B", None, "146.85.5.4 NOAM, 146.85.5.2 EMEA, 146.85.5.3 APAC"),
    *_rows("Yealink", B, "W80, W90", None, "130.85.5.5 NOAM, 130.85.5.6 EMEA, 130.85.5.4 APAC"),
]


def _table() -> tuple[MinimumFirmware, ...]:
    """The listed rows, then every other model dect_systems.py knows, marked as not listed."""
    rows = list(_LISTED)
    known = {(row.vendor, row.model) for row in rows}
    for system in DECT_SYSTEMS:
        for kind, models in ((B, system.bases), (H, system.handsets)):
            rows += [MinimumFirmware(system.vendor, model, kind, None, None, listed=False)
                     for model in models if (system.vendor, model) not in known]
    return tuple(rows)


MINIMUM_FIRMWARE: tuple[MinimumFirmware, ...] = _table()
