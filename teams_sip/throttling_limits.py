"""Microsoft Graph's documented throttling limits, each figure once, and the documented cost rule of
the identity and access service. The client paces by these and the simulator throttles by them.

Sources (docs/microsoft.md, "Paging, `$batch` and throttling"): "Microsoft Graph service-specific
throttling limits" (microsoft-graph-docs-contrib `concepts/throttling-limits.md`), "Microsoft Graph
throttling guidance" (`concepts/throttling.md`) and "Combine multiple HTTP requests using JSON
batching" (`concepts/json-batching.md`). What those pages leave unsaid (which row the Teams admin
APIs fall under, the device-management service, bursts) is in `teams_sip/unverified.py`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# --- Global ---------------------------------------------------------------------------------------
GLOBAL_REQUESTS_PER_10S: Final = 130_000
"""Any request, per app across all tenants (the page's current revision; an older one said 2,000 per second)."""

# --- Identity and access (users, groups, licence details ...) ----------------------------------
IDENTITY_UNITS_PER_10S: Final[Mapping[str, int]] = {"S": 3_500, "M": 5_000, "L": 8_000}
"""Resource units per 10 seconds per application+tenant pair, a token bucket, by tenant size."""
IDENTITY_SMALL_BELOW_USERS: Final = 50  # S: under 50 users
IDENTITY_LARGE_ABOVE_USERS: Final = 500  # L: above 500 users; M between
IDENTITY_WRITES_PER_150S: Final = 3_000
"""Write quota per application+tenant pair: 3,000 per 2 minutes 30 seconds (writes cost 1 each)."""
IDENTITY_WINDOW_S: Final = 10.0
IDENTITY_WRITE_WINDOW_S: Final = 150.0

IDENTITY_BASE_COSTS: Final[Mapping[tuple[str, str], int]] = {
    # (method, path with {id} for any segment): base resource-unit cost; unlisted paths cost 1.
    ("GET", "applications"): 2,
    ("GET", "applications/{id}/extensionProperties"): 2,
    ("GET", "contracts"): 3,
    ("POST", "directoryObjects/getByIds"): 3,
    ("GET", "domains/{id}/domainNameReferences"): 4,
    ("POST", "getObjectsById"): 3,
    ("GET", "groups/{id}/members"): 3,
    ("GET", "groups/{id}/transitiveMembers"): 5,
    ("POST", "isMemberOf"): 4,
    ("POST", "me/checkMemberGroups"): 4,
    ("POST", "me/checkMemberObjects"): 4,
    ("POST", "me/getMemberGroups"): 2,
    ("POST", "me/getMemberObjects"): 2,
    ("GET", "me/licenseDetails"): 2,
    ("GET", "me/memberOf"): 2,
    ("GET", "me/ownedObjects"): 2,
    ("GET", "me/transitiveMemberOf"): 2,
    ("GET", "oauth2PermissionGrants"): 2,
    ("GET", "oauth2PermissionGrants/{id}"): 2,
    ("GET", "servicePrincipals/{id}/appRoleAssignments"): 2,
    ("GET", "subscribedSkus"): 3,
    ("GET", "users"): 2,
}
IDENTITY_SMALL_TOP: Final = 20  # `$top` below this takes one unit off
IDENTITY_ROOTS: Final = frozenset({
    "applications", "contracts", "devices", "directoryObjects", "directoryRoles", "directoryRoleTemplates",
    "domains", "getObjectsById", "groups", "groupSettings", "isMemberOf", "me", "oauth2PermissionGrants",
    "organization", "policies", "servicePrincipals", "subscribedSkus", "users", "contacts",
})
"""First path segments of the resources the page lists for the identity and access limits."""

# --- Identity and access reports (sign-in logs, audit logs) ------------------------------------
REPORTS_REQUESTS_PER_10S: Final = 5
"""Any request on the reports resources (signIn, directoryAudit ...), per app per tenant."""

# --- Microsoft Teams ----------------------------------------------------------------------------
TEAMS_OTHER_GET_PER_S: Final = 30.0
"""'Other GET API calls for Microsoft Teams': 30 requests per second per app per tenant."""
TEAMS_OTHER_PER_S: Final = 30.0
"""'Other API calls for Microsoft Teams' (POST, PATCH ...): 30 requests per second per app per tenant."""

# --- Outlook (mail) -------------------------------------------------------------------------------
OUTLOOK_CONCURRENT_PER_MAILBOX: Final = 4
"""Concurrent requests per app per mailbox."""
OUTLOOK_REQUESTS_PER_10MIN: Final = 10_000
"""API requests per app per mailbox in a 10-minute period."""

# --- JSON batching --------------------------------------------------------------------------------
BATCH_MAX_REQUESTS: Final = 20
"""Inner requests per `$batch`; each is evaluated against the limits on its own (429 with its own Retry-After)."""

# --- The documented shape of a throttled answer (concepts/throttling.md, "Sample response") --------
THROTTLED_CODE: Final = "TooManyRequests"
THROTTLED_MESSAGE: Final = "Please retry again later."
THROTTLED_INNER_MESSAGE: Final = "Please retry after"
SCOPE_HEADER: Final = "x-ms-throttle-scope"  # identity: <Scope>/<Limit>/<ApplicationId>/<TenantId>
INFORMATION_HEADER: Final = "x-ms-throttle-information"  # identity: e.g. ResourceUnitLimitExceeded
RESOURCE_UNIT_HEADER: Final = "x-ms-resource-unit"  # identity: units an answered request used

def tenant_size(users: int) -> str:
    """S, M or L as the identity limits size a tenant."""
    if users < IDENTITY_SMALL_BELOW_USERS:
        return "S"
    return "L" if users > IDENTITY_LARGE_ABOVE_USERS else "M"


def _base_cost(method: str, segments: list[str]) -> int:
    """The table's cost for this path ({id} matching any one segment); `users/{id}/x` costs as `me/x`."""
    paths = ["/".join(segments)]
    if len(segments) >= 3 and segments[0] == "users":
        paths.append("/".join(["me", *segments[2:]]))
    for (verb, template), cost in IDENTITY_BASE_COSTS.items():
        pattern = "^" + re.escape(template).replace(re.escape("{id}"), "[^/]+") + "$"
        if verb == method.upper() and any(re.match(pattern, path) for path in paths):
            return cost
    return 1


def query_options(query: Mapping[str, str]) -> dict[str, str]:
    """Query options by their bare lower-case name (`$select`, `%24select` and `select` alike)."""
    return {k.lstrip("$").lower(): v for k, v in query.items()}


def identity_cost(method: str, path: str, query: Mapping[str, str]) -> int:
    """Resource units of one identity request: the base cost of its path, one off for `$select`, one
    on for `$expand`, one off for `$top` under 20; never below 1."""
    segments = [s for s in path.strip("/").split("/") if s]
    if not segments:
        return 1
    base = _base_cost(method, segments)
    options = query_options(query)
    cost = base - ("select" in options) + ("expand" in options)
    top = options.get("top", "")
    if top.isdigit() and int(top) < IDENTITY_SMALL_TOP:
        cost -= 1
    return max(1, cost)


def is_write(method: str) -> bool:
    return method.upper() in ("POST", "PATCH", "PUT", "DELETE")


# --- Which service a Graph request is throttled by ----------------------------------------------
IDENTITY, TEAMS, OUTLOOK, REPORTS, OTHER = "identity", "teams", "outlook", "reports", "other"
OUTLOOK_SEGMENTS: Final = frozenset({"sendMail", "messages", "mailFolders", "events", "calendar", "contacts"})
"""Mailbox resources under users/{id}/ (the Outlook service's resource list)."""


def graph_service(path: str) -> str:
    """The service whose limits apply to a Graph path below the version root (`/users/x/sendMail`)."""
    from teams_sip import unverified

    bare = path.strip("/")
    segments = bare.split("/")
    if bare.startswith((*unverified.TEAMS_ADMIN_PATHS, *unverified.TEAMWORK_DEVICE_PATHS, "teams", "chats")) or (
        len(segments) >= 3 and segments[0] == "users" and segments[2] in ("teamwork", "chats", "joinedTeams")
    ):
        return TEAMS
    if len(segments) >= 3 and segments[0] in ("users", "me") and segments[2] in OUTLOOK_SEGMENTS:
        return OUTLOOK
    if len(segments) >= 2 and segments[0] == "me" and segments[1] in OUTLOOK_SEGMENTS:
        return OUTLOOK
    if bare.startswith(unverified.SIGNIN_LOG_PATHS):
        return REPORTS
    if segments[0] in IDENTITY_ROOTS:
        return IDENTITY
    return OTHER


def mailbox_of(path: str) -> str:
    """The mailbox an Outlook request addresses (`users/{id}/...`), lower-cased."""
    segments = path.strip("/").split("/")
    return segments[1].lower() if segments[0] == "users" and len(segments) > 1 else "me"
