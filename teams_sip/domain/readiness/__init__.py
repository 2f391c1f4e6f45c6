"""Site readiness: what each site's installer sets (provisioning URL, Rove base settings, DHCP
options) and what the import checks before any code is issued (firmware per model).

The import calls `firmware_findings`; the worksheets call `render_site_block` / `site_block_items`.
"""

from __future__ import annotations

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS, DectSystem, find_model, identifier_help
from teams_sip.domain.readiness.firmware_version import FirmwareVersion, parse_firmware
from teams_sip.domain.readiness.minimum_firmware import MINIMUM_FIRMWARE, Finding, Severity, firmware_findings
from teams_sip.domain.readiness.provisioning_url import handset_config_file, provisioning_url
from teams_sip.domain.readiness.site_block import (
    SiteNotReadyError,
    render_site_block,
    site_block_items,
    site_provisioning_url,
)

__all__ = [
    "DECT_SYSTEMS",
    "MINIMUM_FIRMWARE",
    "DectSystem",
    "Finding",
    "FirmwareVersion",
    "Severity",
    "SiteNotReadyError",
    "find_model",
    "firmware_findings",
    "handset_config_file",
    "identifier_help",
    "parse_firmware",
    "provisioning_url",
    "render_site_block",
    "site_block_items",
    "site_provisioning_url",
]
