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
