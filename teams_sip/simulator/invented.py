"""Everything the simulated tenant serves that no Microsoft page shows, in one place, each with why.

The simulator answers as Microsoft's pages show wherever a page shows it (docs/microsoft.md names
them; tests/contract judges every Graph answer by msgraph-sdk's models). Where the pages are silent
it still has to answer something: those answers are named here, so a reader knows which behaviours
prove nothing about the real service. Each area keeps its own block, headed by a comment naming it;
the simulator imports its literals from here, and tests/simulator/test_invented.py checks that every
entry is used by the simulator's code (so the list cannot drift from what is served).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Final

from teams_sip import unverified

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


# --- Throttling (issue 21) -------------------------------------------------------------------------

BURST_S: Final = unverified.TEAMS_BURST_S
"""Rate-only limits (Teams' requests per second, the guessed services below) are served as a bucket
holding this many seconds of requests: the pages state rates, never a burst."""

DEVICE_MANAGEMENT_REQUESTS_PER_S: Final = unverified.DEVICE_MANAGEMENT_REQUESTS_PER_S
"""The device-management service (provisioning, bulk sign-in) has no published limit; the simulator
throttles it at the client's guess so a wrong guess shows as 429s in tests, not as silence."""

POLICY_ADMIN_REQUESTS_PER_S: Final = unverified.POLICY_ADMIN_REQUESTS_PER_S
"""Likewise the Teams admin API that answers calling-policy settings."""

BATCH_ENVELOPE_FREE: Final = True
"""A `$batch` envelope draws on no bucket, only its inner requests do: the page says inner requests
are evaluated individually and says nothing of the envelope."""

MAILBOX_SLOTS_SPAN_LATENCY: Final = True
"""A mailbox request holds one of its 4 concurrent slots from arrival to answer (the simulated latency
included); inner `$batch` requests to one mailbox hold theirs for the whole batch (Graph may run them
side by side). The page states the limit, not how the service counts it."""


# --- Simulator-wide: our contracts, control routes, tokens, `$batch`, errors (issue 17, contract) ----

PROVISIONING_PREFIX: Final = "/provisioning/v1"
"""Where the simulator serves our device provisioning contract (docs/provisioning-api.md: register,
issue codes, list, get, remove). Microsoft documents no REST API for registering SIP devices or
issuing verification codes (the Teams admin center and PowerShell do it), so the whole contract,
its paths, bodies, error codes and the role its tokens carry are ours."""

PROVISIONING_BULK_LIMIT: Final = 500
"""Most devices one register or issueCodes request of our contract takes; ours, like the contract."""

CODE_DIGITS: Final = 8
"""Digits of a simulated verification code. Microsoft's pages show the technician dialling a code but
give no length or alphabet; the client treats codes as opaque secrets."""

BULK_SIGNIN_PREFIX: Final = "/bulksignin/v1"
"""Where the simulator serves our bulk sign-in contract (unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS).
Microsoft documents bulk sign-in only as PowerShell cmdlets (New-CsSdgBulkSignInRequest,
Get-CsSdgBulkSignInRequestStatus); the REST paths and JSON bodies are ours. Only the per-device
error strings follow the documented texts."""

POLICY_ADMIN_PREFIX: Final = "/policyadmin"
"""Where the simulator serves the Teams admin API's calling-policy settings (unverified.POLICY_ADMIN_*).
No public page documents that API: the array-of-objects answer, its field names and the token
audience are read from community tooling of the MicrosoftTeams module."""

POLICY_ADMIN_EXTRA_FIELD: Final = "Description"
"""A field each simulated policy object carries besides the three the client reads, so that the
client is seen to ignore what it does not use; its name follows Get-CsTeamsCallingPolicy's output."""

CONTROL_PREFIX: Final = "/_sim"
"""The simulator's own control routes (clock, faults, stats, device actions, outbox, bulk sign-in
knobs): loopback, no authentication, and no Microsoft counterpart at all. Their 409 device-action
codes (codeExpired, wrongCode, notRegistered, ...) are ours."""

TOKEN_LIFETIME_S: Final = 3599
"""expires_in of every simulated access token, counted on the simulated clock. The Microsoft identity
platform documents a default access-token lifetime of 60 to 90 minutes (chosen at random) and tells
clients to use expires_in; one fixed hour is ours, so tests can cross an expiry on purpose."""

BATCH_ANSWERS_SHUFFLED: Final = True
"""Inner `$batch` answers come back in a shuffled order drawn from the scenario's seed. JSON batching
says answers may come in any order and are matched by id; always shuffling (reproducibly) is our
choice of the least convenient reading, so the client is seen to match by id."""

FAILED_DEPENDENCY_ERROR: Final = ("FailedDependency", "A request this one depends on failed.")
"""Code and message of the 424 answer for a `$batch` request whose dependency failed. JSON batching
documents the 424 status, not its body."""

GATEWAY_TIMEOUT_ERROR: Final = ("gatewayTimeout", "The gateway timed out waiting for the service.")
"""Code and message of an injected 504. Graph's error page lists the 504 status and, for 503, the code
serviceNotAvailable (which the simulator uses); it names no code for a 504."""

POLICY_ASSIGNMENTS_PER_REQUEST: Final = 20
"""Most entries one userAssignments/assign or unassign request takes. The pages document the body as
a collection and name no limit; 20 matches `$batch` and what the client sends at most."""

POLICY_PROPAGATION_MINUTES: Final = 60.0
"""Default minutes of simulated time before an assigned policy shows as effective. Microsoft says
policy changes take time to apply without a figure for this API; scenarios can set any delay
(`policyPropagationMinutes`)."""


# --- Configuration snapshots (issue 19) ----------------------------------------------------------

SNAPSHOT_NOT_STARTED_FOR: Final = timedelta(seconds=20)
"""How long a new job stays notStarted before running: Microsoft documents the states, not timing."""

SNAPSHOT_FILE_PATH: Final = "/admin/configurationManagement/simulatedSnapshotFiles"
"""Where the simulator puts the file at resourceLocation. Microsoft documents only that the job's
resourceLocation is a URL; the real host and path are unknown (it stays on the Graph host here)."""

SNAPSHOT_SP_MISSING_MESSAGE: Final = (
    "The Unified Tenant Configuration Management service principal was not found in the tenant."
)
"""Answer (403) to createSnapshot when the tenant lacks the service principal: wording and status invented."""

SNAPSHOT_NO_ROLE_MESSAGE: Final = (
    "The Unified Tenant Configuration Management service principal does not have a role that can read "
    "the requested resources."
)
"""errorDetails of a job that failed because the service principal holds no read role: invented."""

SNAPSHOT_JOB_LIMIT_MESSAGE: Final = "The tenant has reached the limit of {limit} snapshot jobs. Delete a job first."
"""Answer (400) to a createSnapshot beyond the community-reported job limit: wording and status invented."""

SNAPSHOT_QUOTA_MESSAGE: Final = "The tenant has reached its monthly limit of extracted snapshot resources."
"""Answer (400) beyond the community-reported monthly resource limit: wording and status invented."""

SNAPSHOT_PARTIAL_MESSAGE: Final = "the resource could not be extracted"
"""errorDetails entry of a partly successful job, one per missing resource: invented."""

SNAPSHOT_FAILED_MESSAGE: Final = "The snapshot extraction failed."
"""errorDetails of a failed job (scenario outcome "failed"): invented."""

SNAPSHOT_IP_PHONE_DEFAULT_MODE: Final = "UserSignIn"
"""SignInMode of an IP phone policy the scenario gives no mode (Global's documented default)."""

# --- Doctor probes (issue 22): switches a doctor report can set -----------------------------------

LISTING_ORDERBY_REFUSAL: Final = "Invalid $orderby: sorting is not supported on this collection."
"""With `listing_orderby="refused"` the userConfigurations listing answers 400 with this message to any
`$orderby`. Microsoft's page names `$orderBy` but neither the properties nor the answer to one it does
not sort by; the text is ours (the client and the doctor read only the status)."""

TEAMWORK_ABSOLUTE_LINK: Final = "absolute"
"""The teamwork `link_form` switch that serves `@odata.nextLink` with scheme and host. The documented
example's link of teamwork/devices is relative; the absolute form (as v1.0 listings answer) is
served only so the doctor can tell the two apart. No page shows it."""

SNAPSHOT_SP_NAMESPACE: Final = uuid.UUID("3c1f0f9e-8a41-4f0b-9d55-0b7a2c6e1d42")
"""The object ids of the Tenant Configuration Management service principal and of its Global Reader
directoryRole in a simulated tenant: opaque per tenant (uuid5 of the tenant id). Microsoft documents
the servicePrincipal and directoryRole resources, not these tenant-specific ids. Which of them the
switch `servicePrincipal` ("present", "missing", "no_role") serves is the scenario's choice."""


def snapshot_sp_ids(tenant_id: str) -> tuple[str, str]:
    """(service principal id, Global Reader directoryRole id) of one simulated tenant."""
    return (str(uuid.uuid5(SNAPSHOT_SP_NAMESPACE, tenant_id + "/sp")),
            str(uuid.uuid5(SNAPSHOT_SP_NAMESPACE, tenant_id + "/global-reader")))
