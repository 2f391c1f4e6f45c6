"""Graph v1.0 servicePrincipals, only as far as the doctor reads them: `GET /servicePrincipals` with
`$filter=appId eq '...'` ("List servicePrincipals") and `GET /servicePrincipals/{id}/memberOf` ("List
servicePrincipal memberOf"), for the Tenant Configuration Management service principal. The snapshot
switch `servicePrincipal` decides: "present" (with Global Reader), "no_role" (without) or "missing"."""

from __future__ import annotations

import re

from teams_sip.simulator import catalog, invented
from teams_sip.simulator.api_types import ApiRequest, ApiResponse, bad_request, not_found
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.world import World
from teams_sip.unverified import SNAPSHOT_SERVICE_PRINCIPAL_APP_ID

GLOBAL_READER_TEMPLATE = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"  # Entra built-in roles: Global Reader
_APP_FILTER = re.compile(r"^\s*appId\s+eq\s+'([^']*)'\s*$", re.I)


def _present(world: World) -> bool:
    return world.scenario.snapshots.service_principal != "missing"


@route("GET", r"/servicePrincipals", catalog.SERVICE_PRINCIPALS_READ, "GET /v1.0/servicePrincipals")
def list_service_principals(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    wanted = _APP_FILTER.match(req.query.get("$filter", ""))
    if wanted is None:
        raise bad_request("The simulator answers servicePrincipals only for $filter=appId eq '...'.")
    sp_id, _ = invented.snapshot_sp_ids(world.scenario.tenant_id)
    found = wanted[1].lower() == SNAPSHOT_SERVICE_PRINCIPAL_APP_ID and _present(world)
    items = [{"id": sp_id, "appId": SNAPSHOT_SERVICE_PRINCIPAL_APP_ID}] if found else []
    return ApiResponse(200, {"@odata.context": req.root + "/$metadata#servicePrincipals(id,appId)", "value": items})


@route("GET", r"/servicePrincipals/(?P<id>[^/]+)/memberOf", catalog.SERVICE_PRINCIPALS_READ,
       "GET /v1.0/servicePrincipals/{id}/memberOf")
def member_of(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    sp_id, role_id = invented.snapshot_sp_ids(world.scenario.tenant_id)
    if m["id"] != sp_id or not _present(world):
        raise not_found(f"Resource '{m['id']}' does not exist.", "Request_ResourceNotFound")
    roles = [] if world.scenario.snapshots.service_principal == "no_role" else [
        {"@odata.type": "#microsoft.graph.directoryRole", "id": role_id, "roleTemplateId": GLOBAL_READER_TEMPLATE}]
    return ApiResponse(200, {"@odata.context": req.root + "/$metadata#directoryObjects", "value": roles})


SERVICE_PRINCIPAL_ROUTES: list[Route] = [list_service_principals, member_of]
