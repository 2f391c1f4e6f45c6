"""Graph v1.0 tenant configuration management routes: createSnapshot, snapshot jobs (get, list,
delete) and the snapshot file at a job's resourceLocation, in either community-seen layout."""

from __future__ import annotations

import re
from typing import Any

from teams_sip.simulator import catalog, invented
from teams_sip.simulator.api_types import ApiRequest, ApiResponse, bad_request, not_found
from teams_sip.simulator.config_snapshots import KNOWN_RESOURCES, SimJob, SnapshotService
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.world import World

BASE = r"/admin/configurationManagement"
_NAME = re.compile(r"^[A-Za-z0-9 ]{8,32}$")
CONTEXT = "$metadata#microsoft.graph.configurationSnapshotJob"


def _service(world: World) -> SnapshotService:
    service = world.config_snapshots
    service.expire(world.now())
    return service


def _job(service: SnapshotService, job_id: str) -> SimJob:
    job = service.jobs.get(job_id)
    if job is None:
        raise not_found(f"Snapshot job '{job_id}' was not found.", "NotFound")
    return job


@route("POST", BASE + r"/configurationSnapshots/createSnapshot", catalog.CONFIG_SNAPSHOTS, "POST createSnapshot")
def create_snapshot(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    body = req.body if isinstance(req.body, dict) else {}
    name, resources = body.get("displayName"), body.get("resources")
    if not isinstance(name, str) or not _NAME.match(name):
        raise bad_request("displayName must be 8 to 32 letters, digits or spaces.")
    if not isinstance(resources, list) or not resources or not all(isinstance(r, str) for r in resources):
        raise bad_request("resources must be a non-empty list of resource names.")
    unknown = [r for r in resources if r.lower() not in KNOWN_RESOURCES]
    if unknown:
        raise bad_request(f"Unsupported resource type(s): {', '.join(unknown)}.")
    service = _service(world)
    job = service.create(world.now(), name, str(body.get("description") or ""), tuple(r.lower() for r in resources))
    answer = service.job_json(job, world.now(), req.root)
    return ApiResponse(200, {"@odata.context": req.root + "/" + CONTEXT, **answer})


@route("GET", BASE + r"/configurationSnapshotJobs", catalog.CONFIG_SNAPSHOTS, "GET configurationSnapshotJobs")
def list_jobs(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    service = _service(world)
    jobs = [service.job_json(j, world.now(), req.root) for j in service.jobs.values()]
    return ApiResponse(200, {"value": jobs})


@route("GET", BASE + r"/configurationSnapshotJobs/(?P<id>[^/]+)", catalog.CONFIG_SNAPSHOTS, "GET snapshot job")
def get_job(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    service = _service(world)
    return ApiResponse(200, service.job_json(_job(service, m["id"]), world.now(), req.root))


@route("DELETE", BASE + r"/configurationSnapshotJobs/(?P<id>[^/]+)", catalog.CONFIG_SNAPSHOTS, "DELETE snapshot job")
def delete_job(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    service = _service(world)
    _job(service, m["id"])
    del service.jobs[m["id"]]
    return ApiResponse(204)


@route("GET", re.escape(invented.SNAPSHOT_FILE_PATH) + r"/(?P<id>[^/]+)", catalog.CONFIG_SNAPSHOTS,
       "GET snapshot file")
def snapshot_file(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    service = _service(world)
    job = _job(service, m["id"])
    if job.status(world.now()) not in ("succeeded", "partiallySuccessful"):
        raise not_found("The snapshot is not available.", "NotFound")
    entries = [e for r in service.served_resources(job) for e in _entries(world, r)]
    service.count_extracted(job, world.now(), len(entries))
    job.file = _layout(service.switches.layout, entries)
    return ApiResponse(200, job.file)


def _layout(layout: str, entries: list[tuple[str, dict[str, Any]]]) -> Any:
    if layout == "items":
        return [{"resourceType": kind, **props} for kind, props in entries]
    return {"resources": [{"displayName": str(p.get("Identity") or p.get("DisplayName")), "resourceType": kind,
                           "properties": p} for kind, p in entries]}


def _entries(world: World, resource: str) -> list[tuple[str, dict[str, Any]]]:
    switches = world.scenario.snapshots
    if resource == "microsoft.teams.callingpolicy":
        return [(resource, {"Identity": p.identity, "AllowSIPDevicesCalling": p.allow_sip_devices,
                            "AllowCallRedirect": p.allow_call_redirect, "Ensure": "Present"})
                for p in world.calling_policies.values()]
    if resource == "microsoft.teams.ipphonepolicy":
        modes = dict(switches.ip_phone_sign_in_modes)
        return [(resource, {"Identity": "Global" if n == "Global" else f"Tag:{n}",
                            "SignInMode": modes.get(n, invented.SNAPSHOT_IP_PHONE_DEFAULT_MODE), "Ensure": "Present"})
                for n in world.ip_phone_policies]
    if resource == "microsoft.teams.tenanttrustedipaddress":
        return [(resource, {"Identity": ip, "MaskBits": bits, "Ensure": "Present"})
                for ip, bits in switches.trusted_ips]
    if resource == "microsoft.entra.conditionalaccesspolicy":
        return [(resource, {"Ensure": "Present", **p}) for p in switches.conditional_access]
    return []


CONFIG_SNAPSHOT_ROUTES: list[Route] = [create_snapshot, list_jobs, get_job, delete_job, snapshot_file]
