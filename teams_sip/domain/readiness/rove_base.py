"""What an installer sets on a Poly Rove base station, in the order the base's web UI shows it.

Field guides for Poly Rove name the settings (ITSP provisioning: Method, Interval, ConfigUrl;
firmware: FirmwareServer, FirmwarePath, BaseFw, FwBranch) but not every value. A value teams-sip
does not know is printed as such, with where to get it, rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoveRelease:
    """The approved Rove firmware release. Server, path and branch come from Poly's release notes;
    fill them here (or pass a release) once the rollout has chosen one."""

    base_fw: str = "8.0.5.0002"
    firmware_server: str | None = None
    firmware_path: str | None = None
    fw_branch: str | None = None


# Microsoft's minimum (Plan for SIP Gateway); server, path and branch are not documented there.
APPROVED_ROVE_RELEASE = RoveRelease()


@dataclass(frozen=True)
class BaseSetting:
    section: str
    name: str
    value: str | None
    note: str
    verified: bool

    def shown(self) -> str:
        """The value as an installer should read it: unknown and unverified values say so."""
        if self.value is None:
            return f"(not known to teams-sip: {self.note})"
        return self.value if self.verified else f"{self.value} (unverified: {self.note})"


_RELEASE_NOTES = "take it from Poly's release notes for the approved Rove release"


def rove_base_settings(config_url: str, release: RoveRelease = APPROVED_ROVE_RELEASE) -> tuple[BaseSetting, ...]:
    """Settings in web-UI order: the provisioning page comes before the firmware update page."""
    itsp, firmware = "ITSP provisioning", "Firmware update"
    return (
        BaseSetting(itsp, "Method", "Static", "the base must use the fixed ConfigUrl below, not DHCP", False),
        BaseSetting(itsp, "Interval", None, "no documented value; keep the base's default", False),
        BaseSetting(itsp, "ConfigUrl", config_url, "the site's SIP Gateway provisioning URL", True),
        BaseSetting(firmware, "FirmwareServer", release.firmware_server, _RELEASE_NOTES,
                    release.firmware_server is not None),
        BaseSetting(firmware, "FirmwarePath", release.firmware_path, _RELEASE_NOTES,
                    release.firmware_path is not None),
        BaseSetting(firmware, "BaseFw", release.base_fw, "at least 8.0.5.0002 (Plan for SIP Gateway)", True),
        BaseSetting(firmware, "FwBranch", release.fw_branch, _RELEASE_NOTES, release.fw_branch is not None),
    )
