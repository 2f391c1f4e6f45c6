"""The one probe that creates something, only with `--create-snapshot`: a small snapshot job for
the Teams resources, polled until it finishes, then its file's layout (shape only: which of the two
community-seen layouts, the property names, the resource types and counts). The job stays in the
tenant until Microsoft deletes it after 7 days; the report says so."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from teams_sip.service.doctor.findings import Finding, Verdict, contradicted, not_available, skipped
from teams_sip.service.doctor.outcomes import failed
from teams_sip.service.doctor.port import GRAPH, Answer, DoctorOptions, DoctorPort
from teams_sip.service.ports.config_snapshots import CALLING_POLICY, IP_PHONE_POLICY
from teams_sip.unverified import SNAPSHOT_SP_MISSING_MARKERS

LAYOUT_PROBE = "configurationSnapshots.layout"
ASSUMED = "a snapshot file comes in one of the two community-seen layouts (`resources` list or a bare item list)"
JOB_NAME = "teams sip doctor check"  # 8-32 letters, digits or spaces, as createSnapshot asks
STAYS = "the job stays in the tenant until Microsoft deletes it after 7 days"
DONE = ("succeeded", "partiallySuccessful", "failed")
PERMISSION = "ConfigurationMonitoring.ReadWrite.All"
GRANT = "scripts/grant-graph-permissions.sh (docs/deploy.md, 'Configuration snapshots')"


def probe_layout(port: DoctorPort, options: DoctorOptions, create_path: str, jobs_path: str) -> Finding:
    if not options.create_snapshot:
        return skipped(LAYOUT_PROBE, ASSUMED, "creates a snapshot job: pass --create-snapshot to check it",
                       "not-asked")
    body = {"displayName": JOB_NAME, "description": "teams-sip doctor: snapshot layout check",
            "resources": [CALLING_POLICY, IP_PHONE_POLICY]}
    created = port.post(GRAPH, create_path, body)
    if created.status not in (200, 201, 202):
        return _refused(created)
    if not isinstance(created.json_object.get("id"), str):
        return contradicted(LAYOUT_PROBE, ASSUMED, "no-job", "createSnapshot answered without a job",
                            "send this report with your support request")
    job = _poll(port, options, f"{jobs_path}/{created.json_object['id']}")
    status = str(job.json_object.get("status", "")) if job.status == 200 else ""
    if job.status != 200:
        return failed(LAYOUT_PROBE, ASSUMED, job, PERMISSION)
    if status not in DONE:
        return not_available(LAYOUT_PROBE, ASSUMED, "still-running", f"the job was still {status} when the doctor "
                             f"stopped waiting; {STAYS}", "run the doctor again later", created=True)
    if status == "failed":
        details = job.json_object.get("errorDetails")
        return not_available(LAYOUT_PROBE, ASSUMED, "job-failed", f"the snapshot job failed; {STAYS}",
                             f"give the Tenant Configuration Management service principal Global Reader with {GRANT}",
                             created=True,
                             errorDetails=len(details) if isinstance(details, list) else 0)
    return _layout(port, str(job.json_object.get("resourceLocation") or ""), status)


def _refused(answer: Answer) -> Finding:
    """A refused createSnapshot: a message naming the service principal means it is missing (the
    snapshot adapter's reading, unverified.SNAPSHOT_SP_MISSING_MARKERS); the message is not kept."""
    error = answer.json_object.get("error")
    message = str(error.get("message", "")).lower() if isinstance(error, dict) else ""
    if answer.status in (400, 403) and any(marker in message for marker in SNAPSHOT_SP_MISSING_MARKERS):
        return not_available(LAYOUT_PROBE, ASSUMED, "no-service-principal",
                             "createSnapshot refused: the Tenant Configuration Management service principal is missing",
                             f"create it and give it Global Reader with {GRANT}", status=answer.status)
    return failed(LAYOUT_PROBE, ASSUMED, answer, PERMISSION)


def _poll(port: DoctorPort, options: DoctorOptions, path: str) -> Answer:
    params = {"$select": "id,status,resourceLocation,errorDetails"}
    answer = port.get(GRAPH, path, params=params)
    for _ in range(options.snapshot_polls):
        if answer.status != 200 or answer.json_object.get("status") in DONE:
            break
        options.wait(options.snapshot_poll_seconds)
        answer = port.get(GRAPH, path, params=params)
    return answer


def _layout(port: DoctorPort, location: str, status: str) -> Finding:
    path = urlsplit(location).path
    if not path.startswith("/v1.0/"):
        return contradicted(LAYOUT_PROBE, ASSUMED, "location-elsewhere", f"resourceLocation is not under Graph v1.0; "
                            f"{STAYS}", "send this report with your support request", created=True)
    answer = port.get(GRAPH, path.removeprefix("/v1.0"))
    if answer.status != 200:
        return failed(LAYOUT_PROBE, ASSUMED, answer, PERMISSION)
    layout, entries = layout_of(answer.body)
    evidence = {"created": True, "jobStatus": status, "entries": len(entries), "retention": STAYS,
                "resourceTypes": dict(Counter(str(e.get("resourceType", "?")) for e in entries)),
                "properties": sorted({k for e in entries for k in _props(e, layout)})}
    if layout == "unknown":
        return contradicted(LAYOUT_PROBE, ASSUMED, "unknown", f"neither known layout; {STAYS}",
                            "send this report with your support request", **evidence)
    return Finding(LAYOUT_PROBE, ASSUMED, Verdict.CONFIRMED, layout, remedy=f"nothing to do: {STAYS}",
                   evidence=evidence)


def layout_of(body: Any) -> tuple[str, list[dict[str, Any]]]:
    """"resources" (an object whose `resources` holds {displayName, resourceType, properties}),
    "items" (a bare list of {resourceType, ...settings}) or "unknown"."""
    if isinstance(body, dict) and isinstance(body.get("resources"), list):
        return "resources", [e for e in body["resources"] if isinstance(e, dict)]
    if isinstance(body, list) and all(isinstance(e, dict) and "resourceType" in e for e in body):
        return "items", list(body)
    return "unknown", []


def _props(entry: dict[str, Any], layout: str) -> list[str]:
    inner = entry.get("properties") if layout == "resources" else entry
    return [k for k in inner if k != "resourceType"] if isinstance(inner, dict) else []
