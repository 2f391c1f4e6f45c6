"""What each Graph answer teams-sip receives must look like: the generated model Microsoft's SDK
parses it with, per route, and the page that documents it (docs/microsoft.md, "Every call teams-sip
makes"). Data, so a new call or a documented second reading is one entry; and the divergences known
to be fixed elsewhere are allowed here, each naming its issue item, until the lead removes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from teams_sip.simulator import invented

V1 = "msgraph.generated.models."
BETA = "msgraph_beta.generated.models."
POLICY_ID_RESPONSE = (
    "msgraph.generated.admin.teams.policy.microsoft_graph_teams_administration_get_policy_id_with_type_with_name"
    ".get_policy_id_with_type_with_name_get_response.GetPolicyIdWithTypeWithNameGetResponse"
)

ODATA_ANNOTATIONS = frozenset({"@odata.type", "@odata.context", "@odata.nextLink", "@odata.count", "@odata.id",
                               "@odata.etag", "@odata.deltaLink"})
"""Control information OData puts beside (or inside) a payload; anything else with an `@` is invented."""


@dataclass(frozen=True)
class Expectation:
    """`path` is a regular expression for the path below the API version root; `model` the dotted
    path of the generated class the 2xx body must parse as, None for "no body", "batch" for the
    `$batch` envelope, "count" for a bare number, UNDOCUMENTED for an answer no page shows (then
    teams_sip/simulator/invented.py must say so). `value_wrapped`: the page's own example wraps the
    entity in {"value": ...}, so either form is accepted."""

    name: str
    method: str
    api: str  # "v1.0" | "beta"
    path: str
    model: str | None
    page: str
    value_wrapped: bool = False


_ID = r"/[^/]+"
UNDOCUMENTED = "undocumented"

EXPECTATIONS: tuple[Expectation, ...] = (
    Expectation("GET /users", "GET", "v1.0", r"/users", V1 + "user_collection_response.UserCollectionResponse",
                "api-reference/v1.0/api/user-list.md"),
    Expectation("GET /users/$count", "GET", "v1.0", r"/users/\$count", "count",
                "api-reference/v1.0/api/user-list.md (example: count only)"),
    Expectation("GET /users/{id}", "GET", "v1.0", r"/users" + _ID, V1 + "user.User",
                "api-reference/v1.0/api/user-get.md"),
    Expectation("GET /users/{id}/licenseDetails", "GET", "v1.0", r"/users" + _ID + r"/licenseDetails",
                V1 + "license_details_collection_response.LicenseDetailsCollectionResponse",
                "api-reference/v1.0/api/user-list-licensedetails.md"),
    Expectation("POST /users/{id}/sendMail", "POST", "v1.0", r"/users" + _ID + r"/sendMail", None,
                "api-reference/v1.0/api/user-sendmail.md"),
    Expectation("GET /admin/teams/userConfigurations", "GET", "v1.0", r"/admin/teams/userConfigurations",
                V1 + "teams_administration.teams_user_configuration_collection_response"
                ".TeamsUserConfigurationCollectionResponse",
                "api-reference/v1.0/api/teamsadministration-teamsadminroot-list-userconfigurations.md"),
    Expectation("GET /admin/teams/userConfigurations/{id}", "GET", "v1.0", r"/admin/teams/userConfigurations" + _ID,
                V1 + "teams_administration.teams_user_configuration.TeamsUserConfiguration",
                "api-reference/v1.0/api/teamsadministration-teamsuserconfiguration-get.md", value_wrapped=True),
    Expectation("GET /admin/teams/policy/getPolicyId", "GET", "v1.0", r"/admin/teams/policy/getPolicyId\(.*\)",
                POLICY_ID_RESPONSE, "api-reference/v1.0/api/teamsadministration-teamspolicyassignment-getpolicyid.md"),
    Expectation("POST /admin/teams/policy/userAssignments/assign", "POST", "v1.0",
                r"/admin/teams/policy/userAssignments/assign", None,
                "api-reference/v1.0/api/teamsadministration-teamspolicyuserassignment-assign.md"),
    Expectation("POST /admin/teams/policy/userAssignments/unassign", "POST", "v1.0",
                r"/admin/teams/policy/userAssignments/unassign", None,
                "api-reference/v1.0/api/teamsadministration-teamspolicyuserassignment-unassign.md"),
    Expectation("POST /$batch", "POST", "v1.0", r"/\$batch", "batch", "concepts/json-batching.md"),
    Expectation("POST /beta/$batch", "POST", "beta", r"/\$batch", "batch", "concepts/json-batching.md"),
    # Tenant configuration management (issue 19 reads policies through snapshots); the snapshot file
    # at a job's resourceLocation has no model: an entry for its route says model=UNDOCUMENTED.
    Expectation("POST /admin/configurationManagement/configurationSnapshots/createSnapshot", "POST", "v1.0",
                r"/admin/configurationManagement/configurationSnapshots/createSnapshot",
                V1 + "configuration_snapshot_job.ConfigurationSnapshotJob",
                "api-reference/v1.0/api/configurationbaseline-createsnapshot.md"),
    Expectation("GET /admin/configurationManagement/configurationSnapshotJobs/{id}", "GET", "v1.0",
                r"/admin/configurationManagement/configurationSnapshotJobs" + _ID,
                V1 + "configuration_snapshot_job.ConfigurationSnapshotJob",
                "api-reference/v1.0/api/configurationsnapshotjob-get.md"),
    Expectation("GET /admin/configurationManagement/configurationSnapshotJobs", "GET", "v1.0",
                r"/admin/configurationManagement/configurationSnapshotJobs",
                V1 + "configuration_snapshot_job_collection_response.ConfigurationSnapshotJobCollectionResponse",
                "api-reference/v1.0/api/configurationmanagement-list-configurationsnapshotjobs.md"),
    Expectation("DELETE /admin/configurationManagement/configurationSnapshotJobs/{id}", "DELETE", "v1.0",
                r"/admin/configurationManagement/configurationSnapshotJobs" + _ID, None,
                "api-reference/v1.0/api/configurationsnapshotjob-delete.md"),
    Expectation("GET snapshot file (resourceLocation)", "GET", "v1.0",
                re.escape(invented.SNAPSHOT_FILE_PATH) + _ID, UNDOCUMENTED,
                "none: no page shows the file (teams_sip/simulator/invented.py, SNAPSHOT_FILE_PATH)"),
    Expectation("GET /beta/teamwork/devices", "GET", "beta", r"/teamwork/devices",
                BETA + "teamwork_device_collection_response.TeamworkDeviceCollectionResponse",
                "api-reference/beta/api/teamworkdevice-list.md"),
    Expectation("GET /beta/teamwork/devices/{id}", "GET", "beta", r"/teamwork/devices" + _ID,
                BETA + "teamwork_device.TeamworkDevice", "api-reference/beta/api/teamworkdevice-get.md"),
    # The doctor's configuration-snapshot and sign-in log probes (issue 22)
    Expectation("GET /servicePrincipals", "GET", "v1.0", r"/servicePrincipals",
                V1 + "service_principal_collection_response.ServicePrincipalCollectionResponse",
                "api-reference/v1.0/api/serviceprincipal-list.md"),
    Expectation("GET /servicePrincipals/{id}/memberOf", "GET", "v1.0", r"/servicePrincipals" + _ID + "/memberOf",
                V1 + "directory_object_collection_response.DirectoryObjectCollectionResponse",
                "api-reference/v1.0/api/serviceprincipal-list-memberof.md"),
    Expectation("GET /auditLogs/signIns", "GET", "v1.0", r"/auditLogs/signIns",
                V1 + "sign_in_collection_response.SignInCollectionResponse", "api-reference/v1.0/api/signin-list.md"),
)


@dataclass(frozen=True)
class Allowed:
    """A known divergence another change fixes; matched on route, model, property and kind."""

    route: str
    model: str
    prop: str
    kind: str
    why: str

    def key(self) -> tuple[str, str, str, str]:
        return self.route, self.model, self.prop, self.kind


ALLOWED: tuple[Allowed, ...] = ()
"""Empty is the goal: each entry is a divergence in an area another engineer is changing."""
