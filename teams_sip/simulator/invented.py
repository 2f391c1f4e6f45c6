"""Everything the simulated tenant serves that no Microsoft page shows, in one place, each with why.

The simulator answers as Microsoft's documentation shows wherever a page shows it (docs/microsoft.md
names the pages). Where the pages are silent it still has to answer something; those answers are
named here, so that a reader knows which of its behaviours prove nothing about the real service,
and so a page that settles one can be followed in one place. Where the docs allow two readings, a
scenario switch serves either (docs/simulator.md) and the tests cover both.
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


# --- Users, licences and Teams user configurations (issue 17, items 3 and 4) -------------------------

FEATURE_TYPES: Final[tuple[str, ...]] = (
    "Teams", "AudioConferencing", "PhoneSystem", "CallingPlan", "TeamsSharedDevice",
)  # fmt: skip
"""featureTypes values, in the order served. Microsoft's example shows only "Teams" and "CallingPlan";
the others, and which licences switch them on, are ours."""

GLOBAL_ASSIGNMENT_TYPE: Final = "direct"
"""policyAssignment.assignmentType of a policy that comes from the org-wide default, when the scenario
lists it (`defaultPoliciesListed`). The type documents only `direct` and `group`; no page shows how a
default is listed, or whether it is listed at all (hence the switch)."""

PLANS_HIDDEN: Final = "assignedPlans"
"""A scenario user with `assignedPlansShown: false` comes without this property even when `$select`
names it. No page shows Graph doing so; it stands for any answer that lacks the plans (a proxy, an
older directory replica) so the tests can hold the client to judging licences "unknown" then."""

LICENSE_DETAILS_REFUSAL: Final = ("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
"""The 403 code and message for `GET /users/{id}/licenseDetails` with an app-only token. The permission
table says application permissions are not supported; the exact error body Graph sends is not shown."""

COUNT_SEGMENT_CONTENT: Final = "text/plain"
"""`GET /users/$count` with `ConsistencyLevel: eventual` answers the bare number as text/plain. The
advanced-query page shows the request and the error without the header, not the successful answer."""

USER_PLAN_SERVICES: Final = ("MicrosoftCommunicationsOnline", "TeamspaceAPI")
"""assignedPlans' `service` names served (MCO* plans, then every other): the real names per plan are
not listed on the user resource page."""

SELECT_UNKNOWN_CODE: Final = "Request_BadRequest"
"""A `$select` naming a property the resource does not have answers 400 with this code and "Could not
find a property named '<name>' on type '<type>'." (users and userConfigurations). No page read shows
this error; it is served so the client can never rely on a property the resource pages do not list."""


# --- Doctor probes (issue 22): switches a doctor report can set -----------------------------------

LISTING_ORDERBY_REFUSAL: Final = "Invalid $orderby: sorting is not supported on this collection."
"""With `listing_orderby="refused"` the userConfigurations listing answers 400 with this message to any
`$orderby`. Microsoft's page names `$orderBy` but neither the properties nor the answer to one it does
not sort by; the text is ours (the client and the doctor read only the status)."""

TEAMWORK_ABSOLUTE_LINK: Final = "teamwork link_form='absolute': @odata.nextLink with scheme and host"
"""The documented example's `@odata.nextLink` of teamwork/devices is relative; the absolute form (as
v1.0 listings answer) is served only so the doctor can tell the two apart. No page shows it."""
