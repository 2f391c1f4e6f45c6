"""Everything one simulated tenant serves, bundled: world, identity, faults and the APIs'
route tables keyed by URL prefix. Shared by the HTTP app, `$batch` and the control endpoints."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from teams_sip.simulator import catalog, invented, recording
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse
from teams_sip.simulator.bulk_signin_routes import BULK_SIGNIN_ROUTES
from teams_sip.simulator.config_snapshot_routes import CONFIG_SNAPSHOT_ROUTES
from teams_sip.simulator.device_routes import BETA_ROUTES, POLICY_ROUTES, PROVISIONING_ROUTES
from teams_sip.simulator.faults import FaultInjector
from teams_sip.simulator.graph_routes import ROUTES as GRAPH_ROUTES
from teams_sip.simulator.identity import Identity
from teams_sip.simulator.routing import Route, dispatch, find
from teams_sip.simulator.service_principal_routes import SERVICE_PRINCIPAL_ROUTES
from teams_sip.simulator.signin_logs import SIGNIN_LOG_ROUTES
from teams_sip.simulator.throttling import Refusal, is_mailbox_request, throttled_body
from teams_sip.simulator.world import World

MAX_BATCH = 20


@dataclass(frozen=True)
class Api:
    prefix: str
    audience: str
    routes: list[Route]


APIS: tuple[Api, ...] = (
    Api("/v1.0", catalog.GRAPH_RESOURCE, GRAPH_ROUTES + CONFIG_SNAPSHOT_ROUTES + SIGNIN_LOG_ROUTES
        + SERVICE_PRINCIPAL_ROUTES),
    Api("/beta", catalog.GRAPH_RESOURCE, BETA_ROUTES + GRAPH_ROUTES + CONFIG_SNAPSHOT_ROUTES),
    Api(invented.PROVISIONING_PREFIX, catalog.PROVISIONING_RESOURCE, PROVISIONING_ROUTES),
    Api(invented.POLICY_ADMIN_PREFIX, catalog.POLICY_ADMIN_RESOURCE, POLICY_ROUTES),
    Api(invented.BULK_SIGNIN_PREFIX, catalog.PROVISIONING_RESOURCE, BULK_SIGNIN_ROUTES),
)


class ReceivedHeaders:
    """The `Prefer` header of every request a route received (inner `$batch` requests with their own),
    so tests can assert on what the client sent rather than on what it meant to send."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._prefer: Counter[tuple[str, str]] = Counter()

    def note(self, route: str, req: ApiRequest) -> None:
        with self._lock:
            self._prefer[(route, req.header("prefer"))] += 1

    def prefer(self) -> dict[str, dict[str, int]]:
        """Route name -> {Prefer value ("" when absent): requests}."""
        with self._lock:
            out: dict[str, dict[str, int]] = {}
            for (route, value), n in sorted(self._prefer.items()):
                out.setdefault(route, {})[value] = n
            return out


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
    received: ReceivedHeaders = field(default_factory=ReceivedHeaders)

    def date(self) -> str:
        return self.world.now().isoformat(timespec="seconds").replace("+00:00", "")

    def handle(self, api: Api, req: ApiRequest, inner: bool = False) -> ApiResponse:
        """Throttle, route and run one (outer or inner) request; counts it in the statistics."""
        name = "unmatched"
        try:
            r, m = find(api.routes, req.method, req.path)
            name = r.name
            self.received.note(name, req)
            refusal, extra = self.faults.throttle(req.app_id, api.prefix, req.method, req.path, req.query)
            if refusal is not None:
                response = throttled_response(refusal, self.date())
            else:
                response = dispatch(self.world, r, m, req)
                response.headers.update(extra)
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
        held: list[str] = []  # mailbox slots held until the batch is answered: # invented.MAILBOX_SLOTS_SPAN_LATENCY
        try:
            for item in requests:
                answers.append(self._answer(api, outer, item, statuses, held))
        finally:
            for path in held:
                self.faults.leave_mailbox(outer.app_id, path)
        if recording.enabled():
            _record_inner(api, requests, answers)
        if invented.BATCH_ANSWERS_SHUFFLED:
            self.faults.shuffle(answers)
        return ApiResponse(200, {"responses": answers})

    def _answer(self, api: Api, outer: ApiRequest, item: dict[str, Any], statuses: dict[str, int],
                held: list[str]) -> dict[str, object]:
        """One inner answer: 424 after a failed dependency, 429 when its mailbox has no free slot."""
        if any(statuses.get(dep, 200) >= 400 for dep in item.get("dependsOn") or []):
            statuses[item["id"]] = 424
            return {"id": item["id"], "status": 424, "body": _failed_dependency(self.date())}
        path = urlsplit("/" + str(item["url"]).lstrip("/")).path
        if is_mailbox_request(api.prefix, path):
            if not self.faults.enter_mailbox(outer.app_id, path):
                statuses[item["id"]] = 429
                response = throttled_response(Refusal({"Retry-After": "1.000"}), self.date())
                self.faults.count("batch:mailbox", 429, inner=True)
                return {"id": item["id"], "status": 429, "headers": response.headers, "body": response.body}
            held.append(path)
        response = self._inner(api, outer, item)
        statuses[item["id"]] = response.status
        answer: dict[str, object] = {
            "id": item["id"],
            "status": response.status,
            "headers": {"Content-Type": "application/json"} | response.headers,
        }
        if response.body is not None:
            answer["body"] = response.body
        return answer

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
            headers={str(k).lower(): str(v) for k, v in _mapping(item.get("headers")).items()},
        )
        return self.handle(api, req, inner=True)


def throttled_response(refusal: Refusal, date: str) -> ApiResponse:
    """A 429 as the documented sample shows it, with the refusal's Retry-After (and scope) headers."""
    return ApiResponse(429, throttled_body(date, str(uuid.uuid4())), dict(refusal.headers))


def _mapping(raw: object) -> dict[object, object]:
    return raw if isinstance(raw, dict) else {}


def _record_inner(api: Api, requests: list[dict[str, object]], answers: list[dict[str, object]]) -> None:
    """Each inner answer, as its own request, to the installed recorders (answers are in request order here)."""
    for item, answer in zip(requests, answers, strict=True):
        url = str(item["url"])
        parts = urlsplit(url if url.startswith("/") else "/" + url)
        headers = item.get("headers")
        named = {str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}
        prefer = named.get("prefer", "")
        status = answer["status"]
        recording.record(
            str(item["method"]).upper(), api.prefix + unquote(parts.path), parts.query,
            status if isinstance(status, int) else 0, answer.get("body"), prefer, inner=True,
        )


def _failed_dependency(date: str) -> object:
    return ApiError(424, *invented.FAILED_DEPENDENCY_ERROR).response(date).body


def _fault_response(status: int, date: str) -> ApiResponse:
    if status == 503:
        return ApiError(503, "serviceNotAvailable", "The service is temporarily unavailable.").response(date)
    return ApiError(504, *invented.GATEWAY_TIMEOUT_ERROR).response(date)


def fault_response(status: int, date: str) -> ApiResponse:
    return _fault_response(status, date)
