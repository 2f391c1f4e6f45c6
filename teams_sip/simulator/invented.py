"""Everything the simulated tenant serves that no Microsoft page shows, in one place, with why.

Each area keeps its own block, headed by a comment naming it. Tests that depend on one of these
readings say so; docs/microsoft.md names the pages that leave each one open.
"""

from __future__ import annotations

import uuid

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


# --- Entra sign-in logs and the admin center's SIP device export (issue 20) ---------------------

SIGNIN_LOG_APP_ID = "61c8fd69-c13e-4ee6-aaa6-24ff71c09bca"
"""Which application a handset's sign-in is logged under is not documented (Microsoft names three SIP
Gateway apps for Conditional Access: teams_sip.unverified.SIP_GATEWAY_APP_IDS). The simulator logs
every handset sign-in under "Teams SIP Gateway"; the client accepts any of the three."""

SIGNIN_LOG_APP_NAMES = {
    "0ab9de21-b802-4d77-b279-1ad41ca233b4": "SIP Gateway API",
    "582b2e88-6cca-4418-83d2-2451801e1d26": "SIP Gateway UserApp",
    "61c8fd69-c13e-4ee6-aaa6-24ff71c09bca": "Teams SIP Gateway",
}
"""`appDisplayName` per app id: the names of Microsoft's SIP Gateway article; how the log spells them
is not shown anywhere."""

SIGNIN_LOG_IP = "203.0.113.10"
"""The handset's sign-in comes through the SIP Gateway; what `ipAddress` the log shows for it is not
documented. A documentation-range address."""

SIGNIN_LOG_ERRORS = {
    "userNotFound": (50034, "The user account does not exist in the directory."),
    "accountDisabled": (50057, "User account is disabled."),
    "notLicensed": (50177, "The user has no Teams Phone licence."),
    "sipDevicesNotAllowed": (53003, "Access has been blocked by the calling policy."),
    "other": (50000, "There was an error issuing a token."),
}
"""What a refused handset sign-in looks like in the log (status.errorCode, status.failureReason).
Entra's error codes are documented in general; which one the SIP Gateway's refusals carry (licence,
calling policy) is not, so these are plausible stand-ins (50034 and 50057 are Entra's codes for a
missing or disabled account)."""

TAC_EXPORT_HEADERS = ("MAC address", "Username", "Display name", "Sign-in status", "Last seen", "Model")
"""The Teams admin center's SIP devices page has an Export button, but Microsoft shows no sample file:
the simulator writes a CSV with these headers (SimulatedTenant.write_tac_export), and the client
matches headers by meaning, so tests also try other spellings."""
