"""Every fact the project relies on that Microsoft does not document, in one named place.

REFERENCE.md marks these facts unverified. When one proves wrong in a real tenant, it is
corrected here and nowhere else. Adapters import their tables from this module; nothing else
may hard-code these hosts, paths, scopes or field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --- Throttling ---------------------------------------------------------------------------------

APP_REQUESTS_PER_S: Final = 100.0
"""Requests one app may make per second before Microsoft answers 429 (a `$batch` counts each inner
request). Graph publishes no budget for the Teams admin APIs, nor the device-management service;
100/s is the order the scale benchmark assumes, counted as a bucket holding one second of requests
(a burst of that many, then that rate). The default of HTTP_REQUESTS_PER_SECOND: bulk reads
pace themselves below it; a wrong figure costs speed, never correctness (every 429 is still obeyed
after its Retry-After)."""

# --- Device provisioning (REFERENCE.md section 5; docs/provisioning-api.md) -------------------

PROVISIONING_SCOPE: Final = "https://devicemgmt.teams.microsoft.com/.default"
"""Token scope for the device-management service; the simulator issues tokens for it too."""

PROVISIONING_BASE_URL: Final = "https://admin.devicemgmt.teams.microsoft.com"
"""Production host of the Teams admin center's device-management service."""

PROVISIONING_ROLE: Final = "TeamsDevice.ReadWrite.All"
"""The application role a token needs for the provisioning API (the simulator enforces it)."""


@dataclass(frozen=True)
class ProvisioningEndpoint:
    """One operation of our contract mapped onto a method and a path template of a service."""

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

PROVISIONING_ENDPOINTS: Final[dict[str, ProvisioningEndpoint]] = {
    # Guesses from community tooling of the admin center; none of these is documented.
    "register": ProvisioningEndpoint("POST", "/api/v2/devices/sip/provision"),
    "issueCodes": ProvisioningEndpoint("POST", "/api/v2/devices/sip/verificationCodes"),
    "list": ProvisioningEndpoint("GET", "/api/v2/devices"),
    "get": ProvisioningEndpoint("GET", "/api/v2/devices/{hardwareId}"),
    "remove": ProvisioningEndpoint("DELETE", "/api/v2/devices/sip/provision/{hardwareId}"),
}
"""Production mapping of each contract operation (unverified: correct here when proven wrong)."""

# --- Calling-policy settings through the Teams admin API (REFERENCE.md section 3) ------------

POLICY_ADMIN_BASE_URL: Final = "https://api.interfaces.records.teams.microsoft.com"
POLICY_ADMIN_PATH: Final = "/Skype.Policy/configurations/TeamsCallingPolicy"
"""GET answers a JSON array of policy objects; GET PATH/{identity} one object (identity "Global" or "Tag:Name")."""
POLICY_ADMIN_AUDIENCE: Final = "48ac35b8-9aa8-4d74-927d-1f4a14a0b239"
POLICY_ADMIN_SCOPE: Final = f"{POLICY_ADMIN_AUDIENCE}/.default"
POLICY_FIELD_IDENTITY: Final = "Identity"  # "Global" or "Tag:<name>", as Get-CsTeamsCallingPolicy shows it
POLICY_FIELD_ALLOW_SIP_DEVICES: Final = "AllowSIPDevicesCalling"  # bool
POLICY_FIELD_ALLOW_CALL_REDIRECT: Final = "AllowCallRedirect"  # "Enabled" | "Disabled" | "UserOverride"

# --- Bulk sign-in of common-area accounts (REFERENCE.md section 4) -----------------------------
# Microsoft documents bulk sign-in only as PowerShell cmdlets (New-CsSdgBulkSignInRequest,
# Get-CsSdgBulkSignInRequestStatus). No host, audience or path below is documented: we guess the
# device-management service, as for provisioning. The cmdlets' models live in the module's
# generated "ConfigAPI" namespace, so the Teams admin API (POLICY_ADMIN_BASE_URL with
# POLICY_ADMIN_SCOPE) is the other candidate. API mode speaks our contract (the simulator serves
# it exactly); assisted mode (the generated PowerShell script) needs none of this.

BULK_SIGNIN_SCOPE: Final = PROVISIONING_SCOPE
"""Token scope for bulk sign-in requests (guess: the device-management service, as provisioning)."""

BULK_SIGNIN_ROLE: Final = PROVISIONING_ROLE
"""The application role a bulk sign-in token needs (the simulator enforces it)."""

BULK_SIGNIN_BASE_URL: Final = PROVISIONING_BASE_URL
"""Production guess for the host (see above for the other candidate)."""

BULK_SIGNIN_CONTRACT_ENDPOINTS: Final[dict[str, ProvisioningEndpoint]] = {
    # submit: {"region": "APAC|EMEA|NOAM", "clientReference": str,
    #          "items": [{"Username", "HardwareId": "xx-xx-xx-xx-xx-xx"}]} -> 202 {"BatchId"}
    #          (a clientReference seen before answers the same BatchId: safe to resend)
    "submit": ProvisioningEndpoint("POST", "/bulksignin/v1/batches"),
    # status: -> 200 {"BatchId", "Region", "BatchStatus": "InProgress|Completed",
    #                 "BatchItem": [{"UserName", "HardwareId", "Status", "Error"}]}; 404 notFound
    "status": ProvisioningEndpoint("GET", "/bulksignin/v1/batches/{batchId}"),
}
"""Our bulk sign-in contract exactly as the simulator serves it."""

BULK_SIGNIN_ENDPOINTS: Final[dict[str, ProvisioningEndpoint]] = {
    # Guesses shaped after the cmdlet names; none of these is documented.
    "submit": ProvisioningEndpoint("POST", "/Teams.SipDevices/BulkSignInRequests"),
    "status": ProvisioningEndpoint("GET", "/Teams.SipDevices/BulkSignInRequests/{batchId}"),
}
"""Production mapping of each bulk sign-in operation (unverified: correct here when proven wrong)."""


# SIP Gateway provisioning URL suffixes (REFERENCE.md section 1 item 2): Microsoft shows `/lang_xx` and
# `/tenantid/<guid>` each alone, never both; when a site needs both we put the language first.
COMBINED_SUFFIX_ORDER: Final[tuple[str, str]] = ("lang", "tenantid")


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
