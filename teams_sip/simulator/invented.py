"""Everything the simulated tenant serves that no Microsoft page shows, in one place, with why.

Each entry is a named constant with a docstring saying what is invented. Engineers add entries
in a block headed with a comment naming their area; the simulator imports them from here.
"""

from __future__ import annotations

from typing import Final

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
