"""Configuration snapshots (Graph v1.0 admin/configurationManagement), read-only by default: the
permission in the token, the Tenant Configuration Management service principal and its reading role
(GETs on servicePrincipals and its memberOf), and the job listing. The snapshot layout needs a job;
only `--create-snapshot` makes one (snapshot_job.py)."""

from __future__ import annotations

from teams_sip.service.doctor.findings import Finding, confirmed, contradicted, not_available, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, DoctorOptions, DoctorPort, SignIn
from teams_sip.service.doctor.snapshot_job import GRANT, probe_layout
from teams_sip.unverified import SNAPSHOT_SERVICE_PRINCIPAL_APP_ID

CREATE_PATH = "/admin/configurationManagement/configurationSnapshots/createSnapshot"
JOBS_PATH = "/admin/configurationManagement/configurationSnapshotJobs"
PERMISSION = "ConfigurationMonitoring.ReadWrite.All"
SP_READ = "Application.Read.All"  # List servicePrincipals / List memberOf: least privileged, optional
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Entra built-in role template id (same everywhere)
PERMISSION_PROBE, SP_PROBE, ROLE_PROBE, JOBS_PROBE = (
    "configurationSnapshots.permission", "configurationSnapshots.servicePrincipal",
    "configurationSnapshots.role", "configurationSnapshots.jobs")
_ASSUMED = {
    PERMISSION_PROBE: f"the Graph token carries {PERMISSION}",
    SP_PROBE: "the tenant has the Tenant Configuration Management service principal",
    ROLE_PROBE: "that service principal holds Global Reader (it reads what a snapshot extracts)",
    JOBS_PROBE: "the snapshot jobs listing answers (GET configurationSnapshotJobs)",
}


def probe_snapshots(port: DoctorPort, options: DoctorOptions, graph: SignIn) -> list[Finding]:
    findings = [_permission(graph)]
    findings += _service_principal(port, graph)
    findings.append(_jobs(port))
    findings.append(probe_layout(port, options, CREATE_PATH, JOBS_PATH))
    return findings


def _permission(graph: SignIn) -> Finding:
    if not graph.ok:
        return skipped(PERMISSION_PROBE, _ASSUMED[PERMISSION_PROBE], "no Graph token")
    if PERMISSION in graph.roles:
        return confirmed(PERMISSION_PROBE, _ASSUMED[PERMISSION_PROBE], "granted")
    return not_available(PERMISSION_PROBE, _ASSUMED[PERMISSION_PROBE], "missing",
                         f"permission: the token lacks {PERMISSION}",
                         f"grant {PERMISSION} (application) and admin consent with {GRANT}")


def _service_principal(port: DoctorPort, graph: SignIn) -> list[Finding]:
    """The SP by its well-known app id, then its directory roles; both need Application.Read.All,
    which teams-sip itself does not use, so without it the two are skipped with the way to check."""
    if SP_READ not in graph.roles and "Directory.Read.All" not in graph.roles:
        why = f"reading service principals needs {SP_READ} (optional, doctor only); not granted"
        return [skipped(SP_PROBE, _ASSUMED[SP_PROBE], why, "cannot-read"),
                skipped(ROLE_PROBE, _ASSUMED[ROLE_PROBE], why, "cannot-read")]
    answer = port.get(GRAPH, "/servicePrincipals", params={
        "$filter": f"appId eq '{SNAPSHOT_SERVICE_PRINCIPAL_APP_ID}'", "$select": "id,appId"})
    if answer.status != 200:
        return [failed(SP_PROBE, _ASSUMED[SP_PROBE], answer, SP_READ),
                skipped(ROLE_PROBE, _ASSUMED[ROLE_PROBE], "the service principal could not be read")]
    found = [sp for sp in answer.items if isinstance(sp.get("id"), str)]
    if not found:
        return [not_available(SP_PROBE, _ASSUMED[SP_PROBE], "missing", "the tenant has no such service principal",
                              f"create it and give it Global Reader with {GRANT}", servicePrincipals=0),
                skipped(ROLE_PROBE, _ASSUMED[ROLE_PROBE], "no service principal")]
    return [confirmed(SP_PROBE, _ASSUMED[SP_PROBE], "present", servicePrincipals=len(found)),
            _role(port, str(found[0]["id"]))]


def _role(port: DoctorPort, sp_id: str) -> Finding:
    answer = port.get(GRAPH, f"/servicePrincipals/{sp_id}/memberOf", params={"$select": "id,roleTemplateId"})
    if answer.status != 200:
        return failed(ROLE_PROBE, _ASSUMED[ROLE_PROBE], answer, SP_READ)
    templates = [str(m.get("roleTemplateId", "")).lower() for m in answer.items
                 if m.get("@odata.type") == "#microsoft.graph.directoryRole"]
    if GLOBAL_READER in templates:
        return confirmed(ROLE_PROBE, _ASSUMED[ROLE_PROBE], "global-reader", directoryRoles=len(templates))
    return not_available(ROLE_PROBE, _ASSUMED[ROLE_PROBE], "no-role",
                         "the service principal holds no Global Reader role: snapshot jobs fail",
                         f"give it Global Reader with {GRANT}", directoryRoles=len(templates))


def _jobs(port: DoctorPort) -> Finding:
    answer = port.get(GRAPH, JOBS_PATH, params={"$select": "id,status"})
    if answer.status != 200:
        return failed(JOBS_PROBE, _ASSUMED[JOBS_PROBE], answer, PERMISSION)
    if "value" not in answer.json_object:
        return contradicted(JOBS_PROBE, _ASSUMED[JOBS_PROBE], "no-value", "the answer has no `value` list",
                            "send this report with your support request")
    statuses: dict[str, int] = {}
    for job in answer.items:
        status = str(job.get("status", "?"))
        statuses[status] = statuses.get(status, 0) + 1
    return confirmed(JOBS_PROBE, _ASSUMED[JOBS_PROBE], "listed", jobs=len(answer.items), statuses=statuses)
