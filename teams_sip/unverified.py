"""Every fact the project relies on that Microsoft does not document, in one named place.

REFERENCE.md marks these facts unverified. When one proves wrong in a real tenant, it is
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
