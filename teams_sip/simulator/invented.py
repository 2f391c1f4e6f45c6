"""Everything the simulated tenant serves that no Microsoft page shows, in one place, with why.

Each area keeps its own block, headed by a comment naming it. Tests that depend on one of these
readings say so; docs/microsoft.md names the pages that leave each one open.
"""

from __future__ import annotations

import uuid
from typing import Final

# --- SIP devices inventory (Graph beta teamwork/devices) ---------------------------------------

TEAMWORK_MAC_FORM = "XX-XX-XX-XX-XX-XX, optionally after an interface prefix (TeamworkSettings.mac_prefix)"
"""`hardwareDetail.macAddresses` is documented only as a string collection: the example answers show
an empty list. The simulator serves the hyphenated form the Teams admin center uses for SIP devices,
and with `mac_prefix` (e.g. "LAN:") the interface-prefixed form seen from Teams devices, so the client
is tested against both."""

TEAMWORK_RETIRED_CODE = "NotFound"
"""Microsoft announced the teamworkDevice beta APIs' deprecation but documents no answer for a retired
API; the simulator answers 404 (or 410 with listing="gone") with this error code."""

TEAMWORK_UNIQUE_ID_NAMESPACE = uuid.UUID("6f1d3c0a-2f4e-4d8e-9b1a-5c7e2d9f0a11")
"""`hardwareDetail.uniqueId` is "the unique identifier for the device"; the documented example shows
an opaque value ("5abcdefgh"), not the MAC address. The simulator serves an opaque id derived from
the device's teamwork id, so the client must find the handset by its MAC address."""


def teamwork_unique_id(teamwork_id: str) -> str:
    """The opaque uniqueId of one simulated teamwork device (see TEAMWORK_UNIQUE_ID_NAMESPACE)."""
    return uuid.uuid5(TEAMWORK_UNIQUE_ID_NAMESPACE, teamwork_id).hex[:12]


TEAMWORK_LAST_MODIFIED = "lastModifiedDateTime = the device's last contact (now while it is online)"
"""The resource documents `lastModifiedDateTime` as when the device detail was last modified, and no
last-contact time; the simulator moves it with each contact so it is never older than the truth."""


# --- Bulk sign-in answers (texts, tables and API mode) ------------------------------------------

DUPLICATE_ADDRESSES: Final = "{error}. IP addresses: {addresses}"
"""How the duplicate-device error carries the duplicates' IP addresses. "Configure SIP Gateway" says
the addresses come with "Duplicate devices found for bulk sign-in" but shows no example, so this
layout (and the 192.0.2.x documentation addresses, one per duplicate item) is ours. The client
matches the documented text as a prefix, so any layout Microsoft uses reads the same."""

BULK_STATUS_ITEM_FIELDS: Final = ("UserName", "HardwareId", "Status", "Error")
"""The fields of each status item our bulk sign-in contract answers. Microsoft documents only that
Get-CsSdgBulkSignInRequestStatus reports a status for every username and hardware id pair, not the
names of the fields; the client takes HardwareId when an item has it and matches by username
otherwise."""

CONTRACT_ROLE: Final = "TeamsDevice.ReadWrite.All"
"""The application role the simulator wants in tokens for our provisioning and bulk sign-in
contracts (docs/provisioning-api.md). Microsoft documents no endpoint for registering SIP devices,
issuing verification codes or bulk sign-in over REST, so there is no Microsoft permission to name:
this one is ours, and the client's messages never tell an admin to grant it."""
