"""Everything the simulated tenant serves that no Microsoft page shows, in one place, each with why.

The simulator answers as Microsoft's documentation shows wherever a page shows it (docs/microsoft.md
names the pages). Where the pages are silent it still has to answer something; those answers are
named here, so that a reader knows which of its behaviours prove nothing about the real service,
and so a page that settles one can be followed in one place. Where the docs allow two readings, a
scenario switch serves either (docs/simulator.md) and the tests cover both.
"""

from __future__ import annotations

from typing import Final

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
