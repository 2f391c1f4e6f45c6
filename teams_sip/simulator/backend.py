"""Everything one simulated tenant serves, bundled: world, identity, faults and the APIs'
route tables keyed by URL prefix. Shared by the HTTP app, `$batch` and the control endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from teams_sip.simulator import catalog
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse
from teams_sip.simulator.bulk_signin_routes import BULK_SIGNIN_ROUTES
from teams_sip.simulator.device_routes import BETA_ROUTES, POLICY_ROUTES, PROVISIONING_ROUTES
from teams_sip.simulator.faults import FaultInjector
from teams_sip.simulator.graph_routes import ROUTES as GRAPH_ROUTES
from teams_sip.simulator.identity import Identity
from teams_sip.simulator.routing import Route, dispatch, find
from teams_sip.simulator.signin_logs import SIGNIN_LOG_ROUTES
from teams_sip.simulator.world import World

MAX_BATCH = 20


@dataclass(frozen=True)
class Api:
    prefix: str
    audience: str
    routes: list[Route]


APIS: tuple[Api, ...] = (
    Api("/v1.0", catalog.GRAPH_RESOURCE, GRAPH_ROUTES + SIGNIN_LOG_ROUTES),
    Api("/beta", catalog.GRAPH_RESOURCE, BETA_ROUTES + GRAPH_ROUTES),
    Api("/provisioning/v1", catalog.PROVISIONING_RESOURCE, PROVISIONING_ROUTES),
    Api("/policyadmin", catalog.POLICY_ADMIN_RESOURCE, POLICY_ROUTES),
    Api("/bulksignin/v1", catalog.PROVISIONING_RESOURCE, BULK_SIGNIN_ROUTES),
)


def api_for(path: str) -> Api | None:
    for api in APIS:
        if path == api.prefix or path.startswith(api.prefix + "/"):
            return api
    return None


@dataclass
class Backend:
    world: World
    identity: Identity
    faults: FaultInjector
    base_url: str

    def date(self) -> str:
        return self.world.now().isoformat(timespec="seconds").replace("+00:00", "")

    def handle(self, api: Api, req: ApiRequest, inner: bool = False) -> ApiResponse:
        """Throttle, route and run one (outer or inner) request; counts it in the statistics."""
        name = "unmatched"
        try:
            r, m = find(api.routes, req.method, req.path)
            name = r.name
            retry_after = self.faults.throttle(req.app_id)
            if retry_after is not None:
                raise ApiError(
                    429,
                    "TooManyRequests",
                    "Too many requests. The application has exceeded its request budget; retry later.",
                    {"Retry-After": str(retry_after)},
                )
            response = dispatch(self.world, r, m, req)
        except ApiError as exc:
            response = exc.response(self.date())
        self.faults.count(("batch:" if inner else "") + name, response.status, inner)
        return response

    def batch(self, api: Api, outer: ApiRequest) -> ApiResponse:
        """JSON `$batch`: at most 20 requests, each throttled and answered on its own."""
        requests = outer.body.get("requests") if isinstance(outer.body, dict) else None
        if not isinstance(requests, list) or not requests:
            raise ApiError(400, "BadRequest", "Invalid batch payload format.")
        if len(requests) > MAX_BATCH:
            raise ApiError(400, "BadRequest", f"Maximum number of requests in a batch is {MAX_BATCH}.")
        ids: list[str] = []
        for item in requests:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "method", "url")):
                raise ApiError(400, "BadRequest", "Each batch request needs string id, method and url.")
            if item["id"] in ids:
                raise ApiError(400, "BadRequest", f"Batch request ids must be unique; '{item['id']}' repeats.")
            for dep in item.get("dependsOn") or []:
                if dep not in ids:
                    raise ApiError(400, "BadRequest", f"Request '{item['id']}' depends on unknown id '{dep}'.")
            if item.get("body") is not None and "content-type" not in {k.lower() for k in item.get("headers") or {}}:
                raise ApiError(
                    400, "BadRequest", f"Write request id : {item['id']} does not contain Content-Type header or body."
                )
            ids.append(item["id"])
        statuses: dict[str, int] = {}
        answers = []
        for item in requests:
            if any(statuses.get(dep, 200) >= 400 for dep in item.get("dependsOn") or []):
                statuses[item["id"]] = 424
                answers.append({"id": item["id"], "status": 424, "body": _failed_dependency(self.date())})
                continue
            response = self._inner(api, outer, item)
            statuses[item["id"]] = response.status
            answer: dict[str, object] = {
                "id": item["id"],
                "status": response.status,
                "headers": {"Content-Type": "application/json"} | response.headers,
            }
            if response.body is not None:
                answer["body"] = response.body
            answers.append(answer)
        self.faults.shuffle(answers)
        return ApiResponse(200, {"responses": answers})

    def _inner(self, api: Api, outer: ApiRequest, item: dict[str, object]) -> ApiResponse:
        url = str(item["url"])
        if "://" in url:
            return ApiError(400, "BadRequest", "Batch request urls must be relative.").response(self.date())
        parts = urlsplit(url if url.startswith("/") else "/" + url)
        fault = self.faults.draw_inner()
        if fault is not None:
            self.faults.count("batch:fault", int(fault), inner=True)
            return _fault_response(int(fault), self.date())
        req = ApiRequest(
            method=str(item["method"]).upper(),
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            body=item.get("body"),
            app_id=outer.app_id,
            roles=outer.roles,
            root=outer.root,
        )
        return self.handle(api, req, inner=True)


def _failed_dependency(date: str) -> object:
    return ApiError(424, "FailedDependency", "A request this one depends on failed.").response(date).body


def _fault_response(status: int, date: str) -> ApiResponse:
    if status == 503:
        return ApiError(503, "serviceNotAvailable", "The service is temporarily unavailable.").response(date)
    return ApiError(504, "gatewayTimeout", "The gateway timed out waiting for the service.").response(date)


def fault_response(status: int, date: str) -> ApiResponse:
    return _fault_response(status, date)
