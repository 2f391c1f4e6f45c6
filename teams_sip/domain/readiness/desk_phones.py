"""DHCP options that hand the provisioning URL to desk phones, per vendor.

Source: Microsoft Learn, "Configure SIP Gateway" (Yealink and Alcatel-Lucent Enterprise use
option 66; Cisco, Poly and AudioCodes use option 160; Cisco needs `/$PSN.xml` appended).
"""

from __future__ import annotations

from dataclasses import dataclass

DHCP_SOURCE = "Microsoft Learn: Configure SIP Gateway (learn.microsoft.com/microsoftteams/sip-gateway-configure)"


@dataclass(frozen=True)
class DhcpOption:
    vendor: str
    option: int
    url_suffix: str = ""

    def value(self, provisioning_url: str) -> str:
        return provisioning_url + self.url_suffix


DESK_PHONE_DHCP: tuple[DhcpOption, ...] = (
    DhcpOption("AudioCodes", 160),
    DhcpOption("Cisco", 160, "/$PSN.xml"),
    DhcpOption("Poly", 160),
    DhcpOption("Alcatel-Lucent Enterprise", 66),
    DhcpOption("Yealink", 66),
)


def dhcp_option_for(vendor: str) -> DhcpOption | None:
    key = vendor.strip().lower()
    for entry in DESK_PHONE_DHCP:
        if entry.vendor.lower() == key or (key == "polycom" and entry.vendor == "Poly"):
            return entry
    return None
