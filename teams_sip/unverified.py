"""Every fact the project relies on that Microsoft does not document, in one named place.

docs/microsoft.md marks these facts "assumption". When one proves wrong in a real tenant, it is
corrected here and nowhere else. Adapters import their tables from this module; nothing else
may hard-code these hosts, paths, scopes or field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- Throttling ---------------------------------------------------------------------------------

# Documented figures live in teams_sip/throttling_limits.py; these are NOT from Microsoft's pages.

TEAMS_ADMIN_PATHS: Final = ("admin/teams/",)
"""Graph paths assumed to be throttled as Microsoft Teams: the Teams throttling table names neither
`/admin/teams/userConfigurations` nor policy assignment, so we assume their GETs fall under "other GET
API calls for Microsoft Teams" and their POSTs under "other API calls" (30 requests/s each)."""

TEAMWORK_DEVICE_PATHS: Final = ("teamwork/devices",)
"""Graph beta teamwork devices (the SIP device inventory): the Teams limits list the `teamwork`
resource but not teamworkDevice; assumed to fall under Teams' "other GET" row (30 requests/s)."""

TEAMS_BURST_S: Final = 1.0
"""Teams limits are rates (requests per second) with no stated burst: we assume a bucket holding one
second of requests. The identity bucket's size is its documented 10-second quota."""

DEVICE_MANAGEMENT_REQUESTS_PER_S: Final = 10.0
"""The Teams admin center's device-management service (provisioning, verification codes, bulk sign-in)
publishes no limit. A conservative guess: a third of Teams' 30/s, with a bucket of one second."""

POLICY_ADMIN_REQUESTS_PER_S: Final = 10.0
"""The Teams admin API that reads calling-policy settings publishes no limit; the same guess."""

CONFIG_SNAPSHOT_REQUESTS_PER_S: Final = 10.0
"""Configuration snapshots of the Teams admin settings: no page states a limit; the same guess."""

SIGNIN_LOG_PATHS: Final = ("auditLogs/",)
"""Sign-in logs are throttled as identity and access reports (documented: signIn is on that page's
resource list); the path prefix that selects them is ours."""

# --- Device provisioning: our own contract (docs/provisioning-api.md) --------------------------
# Microsoft documents no endpoint for registering SIP devices, issuing verification codes or removing
# devices: Teams admin center does them by hand. PROVISIONING_MODE=api therefore always speaks our
# own contract, to the simulator or to a gateway that implements it at PROVISIONING_BASE_URL; there
# is no production mapping onto a Microsoft service.

PROVISIONING_SCOPE: Final = "https://devicemgmt.teams.microsoft.com/.default"
"""Default token scope for our contracts: the simulator issues tokens for it. Not a documented Microsoft
scope; a gateway implementing the contracts has its own app registration, named by PROVISIONING_SCOPE."""


@dataclass(frozen=True)
class ProvisioningEndpoint:
    """One operation of our contract: a method and a path template."""

    method: str
    path: str  # may hold "{hardwareId}"


CONTRACT_ENDPOINTS: Final[dict[str, ProvisioningEndpoint]] = {
    "register": ProvisioningEndpoint("POST", "/provisioning/v1/devices/register"),
    "issueCodes": ProvisioningEndpoint("POST", "/provisioning/v1/devices/issueCodes"),
    "list": ProvisioningEndpoint("GET", "/provisioning/v1/devices"),
    "get": ProvisioningEndpoint("GET", "/provisioning/v1/devices/{hardwareId}"),
    "remove": ProvisioningEndpoint("DELETE", "/provisioning/v1/devices/{hardwareId}"),
}
"""Our contract exactly as docs/provisioning-api.md writes it; the simulator serves these paths."""

# --- Calling-policy settings through the Teams admin API (docs/microsoft.md "Calling policies") ---

POLICY_ADMIN_BASE_URL: Final = "https://api.interfaces.records.teams.microsoft.com"
POLICY_ADMIN_PATH: Final = "/Skype.Policy/configurations/TeamsCallingPolicy"
"""GET answers a JSON array of policy objects; GET PATH/{identity} one object (identity "Global" or "Tag:Name")."""
POLICY_ADMIN_AUDIENCE: Final = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"
POLICY_ADMIN_SCOPE: Final = f"{POLICY_ADMIN_AUDIENCE}/.default"
POLICY_FIELD_IDENTITY: Final = "Identity"  # "Global" or "Tag:<name>", as Get-CsTeamsCallingPolicy shows it
POLICY_FIELD_ALLOW_SIP_DEVICES: Final = "AllowSIPDevicesCalling"  # bool
POLICY_FIELD_ALLOW_CALL_REDIRECT: Final = "AllowCallRedirect"  # "Enabled" | "Disabled" | "UserOverride"

# --- Bulk sign-in of common-area accounts (docs/microsoft.md, "Bulk sign-in") ----------------
# Microsoft documents bulk sign-in only as PowerShell cmdlets (New-CsSdgBulkSignInRequest,
# Get-CsSdgBulkSignInRequestStatus); no REST host, audience or path is documented. API mode speaks
# our own contract below, to the simulator or to a service that implements it (BULK_SIGNIN_BASE_URL,
# else PROVISIONING_BASE_URL); assisted mode (the generated PowerShell script) needs none of this.

BULK_SIGNIN_SCOPE: Final = PROVISIONING_SCOPE
"""Token scope for our bulk sign-in contract (the same as the provisioning contract's)."""

BULK_SIGNIN_CONTRACT_ENDPOINTS: Final[dict[str, ProvisioningEndpoint]] = {
    # submit: {"region": "APAC|EMEA|NOAM", "clientReference": str,
    #          "items": [{"Username", "HardwareId": "xx-xx-xx-xx-xx-xx"}]} -> 202 {"BatchId"}
    #          (a clientReference seen before answers the same BatchId: safe to resend)
    "submit": ProvisioningEndpoint("POST", "/bulksignin/v1/batches"),
    # status: -> 200 {"BatchId", "Region", "BatchStatus": "InProgress|Completed",
    #                 "BatchItem": [{"UserName", "HardwareId"?, "Status", "Error"}]}; 404 notFound
    "status": ProvisioningEndpoint("GET", "/bulksignin/v1/batches/{batchId}"),
}
"""Our bulk sign-in contract exactly as the simulator serves it."""


# SIP Gateway provisioning URL suffixes (docs/microsoft.md, SIP Gateway section): Microsoft shows `/lang_xx` and
# `/tenantid/<guid>` each alone, never both; when a site needs both we put the language first.
COMBINED_SUFFIX_ORDER: Final[tuple[str, str]] = ("lang", "tenantid")


# --- Files machines read (issue 24, importer and outputs) -----------------------------------------

MACHINE_CSV_VALUES_VERBATIM: Final = True
"""TAC's "Provision devices" upload (Location) and New-CsSdgBulkSignInRequest's device file (Username)
read each cell as plain text, so a value is written unchanged (`-1 Basement`), never prefixed with the
apostrophe that keeps Excel from running a formula; a formula-like value is refused instead
(domain/csv_safety.write_machine_csv). No page says whether TAC strips such an apostrophe."""

# --- SIP device inventory (Graph beta teamwork/devices; docs/microsoft.md) ----------------------

TEAMWORK_MAC_INTERFACE_PREFIX: Final = r"^[A-Za-z][A-Za-z0-9 _]*:(?=[0-9A-Fa-f]{2}[-:.]?)"
"""`hardwareDetail.macAddresses` entries may name their interface before the address
("LAN:00-11-22-33-44-55", "WIFI:..."). No Microsoft page shows a non-empty entry (the examples have
`[]`); the client strips such a prefix and reads the plain forms as well."""

# --- Entra sign-in logs as an inventory source (issue 20; docs/microsoft.md, "Sign-in logs") ----

SIP_GATEWAY_APP_IDS: Final[dict[str, str]] = {
    "0ab9de21-b802-4d77-b279-1ad41ca233b4": "SIP Gateway API",
    "582b2e88-6cca-4418-83d2-2451801e1d26": "SIP Gateway UserApp",
    "61c8fd69-c13e-4ee6-aaa6-24ff71c09bca": "Teams SIP Gateway",
}
"""The SIP Gateway's application ids, as Microsoft's "dynamic filters for SIP Gateway" article names
them (for Conditional Access). Which of them a handset's sign-in carries in the sign-in log is not
documented, so the sign-in log reader asks for all three and treats any of them as a SIP device
sign-in."""

SIGNIN_LOG_OVERLAP_MINUTES: Final = 30
"""How far back from its last mark each read of the sign-in log starts again. Entra writes sign-in
events some minutes after they happen (Microsoft states latency for the portal, none for Graph), so
an event stamped before the mark may appear only after it was read; re-reading a window costs
nothing (statements are idempotent)."""

# --- Teams user configuration and licences (issue 17, items 3 and 4; docs/microsoft.md) ---------

UNLISTED_POLICY: Final = "Global"
"""Assumption: a policy type missing from a user's `effectivePolicyAssignments` means the user has
the org-wide default. Microsoft's example lists only non-default policies and no page says whether
the default is listed; the checks judge Global's settings then and say the policy was assumed.
`teams_sip.domain.eligibility.facts.DEFAULT_POLICY` holds the same name (the domain imports only the
standard library; a test keeps the two equal)."""

VOICE_FLAG_ALONE_BLOCKS: Final = False
"""Assumption: `isEnterpriseVoiceEnabled` false never fails a user on its own. The resource page only
says "whether voice capability is enabled", and Microsoft's own example user has a Calling Plan, a
primary number and the flag false. For a user without a Calling Plan (Operator Connect, Direct
Routing) with a number and the flag false, the checks answer "needs attention" with the reason."""

CALLING_PLAN_FEATURE: Final = "CallingPlan"
"""A `featureTypes` entry that means a Calling Plan: the documented example shows "Teams" and
"CallingPlan"; no page lists the values. Counted besides the Calling Plan service plans."""
# --- Configuration snapshots (tenant configuration management, issue 19) ----------------------
# Microsoft documents the snapshot job (create, get, list, delete) but not the layout of the file at
# its resourceLocation, nor the service's limits. Everything below comes from community tooling
# and our own assumptions (docs/microsoft.md, section "Configuration snapshots").

SNAPSHOT_JOBS_KEPT: Final = 12
"""Community-reported: a tenant keeps at most this many snapshot jobs; creating one more fails."""

SNAPSHOT_RESOURCES_PER_MONTH: Final = 20_000
"""Community-reported: about this many resource instances may be extracted per tenant per month."""

SNAPSHOT_RETENTION_DAYS: Final = 7
"""Jobs and snapshots are deleted after 7 days (documented on the Entra concept page; kept here with the
other limits so every limit is in one place)."""

SNAPSHOT_DISPLAY_NAME_CHARS: Final = r"[A-Za-z0-9 ]"
"""Community-reported: display names take letters, digits and spaces only, 8 to 32 characters."""

SNAPSHOT_DISPLAY_NAME_PREFIX: Final = "teams sip"
"""Our own jobs start with this display name, so cleanup never deletes another tool's jobs."""

SNAPSHOT_SERVICE_PRINCIPAL_APP_ID: Final = "03b07b79-c5bc-4b5e-9bfa-13acf4a99998"
"""Community-reported appId of the Microsoft "Tenant Configuration Management" service principal."""

SNAPSHOT_SP_MISSING_MARKERS: Final[tuple[str, ...]] = ("service principal", "serviceprincipal")
"""Assumption: an error naming the service principal means it is missing from the tenant."""

# The snapshot file, shape 1 ("resources"): {"resources": [{"displayName", "resourceType",
# "properties": {...}}]}, as a configuration baseline is written. Shape 2 ("items"): a JSON list
# (or {"value": [...]}) of configuration items each carrying its type and its properties inline.
SNAPSHOT_RESOURCES_KEY: Final = "resources"
SNAPSHOT_PROPERTIES_KEY: Final = "properties"
SNAPSHOT_TYPE_KEYS: Final[tuple[str, ...]] = ("resourceType", "ResourceType", "ResourceName", "resourceName")
"""Where an entry names its resource type, in the order tried."""

SNAPSHOT_TYPE_ALIASES: Final[dict[str, str]] = {
    "teamscallingpolicy": "microsoft.teams.callingpolicy",
    "teamsipphonepolicy": "microsoft.teams.ipphonepolicy",
    "teamstenanttrustedipaddress": "microsoft.teams.tenanttrustedipaddress",
    "aadconditionalaccesspolicy": "microsoft.entra.conditionalaccesspolicy",
}
"""Microsoft365DSC-style names some tools write instead of the UTCM resource names."""

SNAPSHOT_MFA_CONTROL: Final = "mfa"
"""The BuiltInControls value of a Conditional Access policy that requires MFA."""

# --- The admin center's SIP device export as a complete listing (issue 20; docs/microsoft.md) ----

TAC_EXPORT_IS_COMPLETE: Final = True
"""Assumption: the Teams admin center's SIP devices page exports every SIP device Teams lists at the
moment of export (no paging or filter left out), so a handset it does not show is not listed then.
No Microsoft page describes the export's contents. With False an upload is evidence only, and with the
teamwork listing retired no handset turns stale (service/inventory_upload.py)."""
