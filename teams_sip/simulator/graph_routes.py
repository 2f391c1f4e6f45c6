"""The Graph v1.0 subset: users (licence details refused to app-only callers), Teams user configurations,
calling-policy assignment (effective only after the propagation delay) and sendMail into the outbox."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote

from teams_sip.simulator import catalog, invented
from teams_sip.simulator.api_types import ApiError, ApiRequest, ApiResponse, bad_request, not_found
from teams_sip.simulator.graph_views import (
    CONFIG_PROPERTIES,
    USER_DEFAULT,
    USER_PROPERTIES,
    user_config_json,
    user_json,
)
from teams_sip.simulator.invented import COUNT_SEGMENT_CONTENT, LICENSE_DETAILS_REFUSAL
from teams_sip.simulator.odata import (
    eventual,
    page,
    parse_keyed_filter,
    parse_orderby,
    parse_select,
    parse_top,
    project,
    resolve_query,
)
from teams_sip.simulator.routing import Route, route
from teams_sip.simulator.scenario import ScenarioUser
from teams_sip.simulator.world import CALLING, IP_PHONE, SentMail, World

USER_TYPE = "microsoft.graph.user"
CONFIG_TYPE = "microsoft.graph.teamsAdministration.teamsUserConfiguration"
MAX_ASSIGNMENTS = invented.POLICY_ASSIGNMENTS_PER_REQUEST
INCLUDE_UNKNOWN_ENUM_MEMBERS = "include-unknown-enum-members"

_USER_FILTERS = {
    "userPrincipalName": lambda u: u.upn,
    "id": lambda u: u.id,
    "mail": lambda u: u.upn,
    "displayName": lambda u: u.display_name,
    "accountEnabled": lambda u: u.account_enabled,
    "userType": lambda u: "Guest" if u.account_type == "guest" else "Member",
}


def _user(world: World, key: str) -> ScenarioUser:
    user = world.find_user(unquote(key))
    if user is None:
        raise not_found(
            f"Resource '{unquote(key)}' does not exist or one of its queried reference-property objects "
            "are not present."
        )
    return user


def _listing(world: World, req: ApiRequest, properties: Sequence[str], type_name: str, filters: dict[str, Any],
             max_top: int, view: Callable[[ScenarioUser, list[str] | None], dict[str, Any]],
             orderable: dict[str, Any] | None = None) -> ApiResponse:
    """A paged collection of the tenant's users as Graph lists them: $select, $filter, $top, nextLink,
    and `$orderby` where the collection sorts (`orderable`; elsewhere it is ignored)."""
    query, offset = resolve_query(req)
    select = parse_select(query.get("$select"), properties, type_name)
    top = parse_top(query, max_top, 100)
    users = list(world.users.values())
    if "$filter" in query:
        keep, named = parse_keyed_filter(query["$filter"], filters, type_name, ("id", "userPrincipalName"))
        found = [world.find_user(key) for key in named] if named is not None else []
        if found and all(found):  # else (a key that is not an exact id or a UPN) the full scan decides
            users = list({u.id: u for u in found if u is not None}.values())  # the filter's order: stable
        users = [u for u in users if keep(u)]
    if orderable is not None and "$orderby" in query:
        name, descending = parse_orderby(query["$orderby"], orderable, type_name)

        def sort_key(u: ScenarioUser) -> str:
            return str(orderable[name](u)).lower()

        if "$filter" in query:
            users = sorted(users, key=sort_key, reverse=descending)
        else:  # the whole tenant again for every page: sorted once
            users = world.ordered_users(name, descending, sort_key)
    views = [view(u, select) for u in users[offset : offset + top]]
    return ApiResponse(200, page(req, views, len(users), query, offset, top))


@route("GET", r"/users", catalog.USERS_READ, "GET /v1.0/users")
def list_users(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    return _listing(world, req, USER_PROPERTIES, USER_TYPE, _USER_FILTERS, 999,
                    lambda u, select: project(user_json(world, u.id), select, USER_DEFAULT))


@route("GET", r"/users/\$count", catalog.USERS_READ, "GET /v1.0/users/$count")
def count_users(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    """The `$count` segment works only as an advanced query: without `ConsistencyLevel: eventual` Graph
    answers the error its advanced-query page shows."""
    if not eventual(req):
        raise bad_request("$count is not currently supported.", "Request_BadRequest")
    return ApiResponse(200, str(len(world.users)), {"Content-Type": COUNT_SEGMENT_CONTENT})


@route("GET", r"/users/(?P<key>[^/]+)", catalog.USERS_READ, "GET /v1.0/users/{id}")
def get_user(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    user = _user(world, m["key"])
    select = parse_select(req.query.get("$select"), USER_PROPERTIES, USER_TYPE)
    body = {"@odata.context": f"{req.root}/$metadata#users/$entity"}
    return ApiResponse(200, body | project(user_json(world, user.id), select, USER_DEFAULT))


@route("GET", r"/users/(?P<key>[^/]+)/licenseDetails", catalog.USERS_READ, "GET /v1.0/users/{id}/licenseDetails")
def get_license_details(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    """Refused: the permission table supports no application permission here, and every token this
    tenant issues is app-only (client credentials)."""
    _user(world, m["key"])
    raise ApiError(403, *LICENSE_DETAILS_REFUSAL)


_CONFIG_FILTERS = {
    "userPrincipalName": lambda u: u.upn,
    "id": lambda u: u.id,
    "accountType": lambda u: u.account_type,
}


_CONFIG_ORDER = {"id": lambda u: u.id, "userPrincipalName": lambda u: u.upn}
"""What the simulated listing sorts by. Microsoft documents $orderBy on this listing without naming
the properties: the client must not depend on it (see LISTING_ORDER in the Graph adapter)."""


@route("GET", r"/admin/teams/userConfigurations", catalog.USER_CONFIG_READ, "GET /v1.0/admin/teams/userConfigurations")
def list_user_configurations(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    evolvable = req.prefers(INCLUDE_UNKNOWN_ENUM_MEMBERS)
    return _listing(world, req, CONFIG_PROPERTIES, CONFIG_TYPE, _CONFIG_FILTERS, 100,
                    lambda u, select: project(user_config_json(world, u.id, evolvable), select), _CONFIG_ORDER)


@route(
    "GET",
    r"/admin/teams/userConfigurations/(?P<key>[^/]+)",
    catalog.USER_CONFIG_READ,
    "GET /v1.0/admin/teams/userConfigurations/{id}",
)
def get_user_configuration(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    user = world.users.get(unquote(m["key"]))
    if user is None:
        raise not_found(f"User configuration '{unquote(m['key'])}' was not found.", "NotFound")
    select = parse_select(req.query.get("$select"), CONFIG_PROPERTIES, CONFIG_TYPE)
    body = {"@odata.context": f"{req.root}/$metadata#admin/teams/userConfigurations/$entity"}
    config = project(user_config_json(world, user.id, req.prefers(INCLUDE_UNKNOWN_ENUM_MEMBERS)), select)
    return ApiResponse(200, {"value": body | config})  # wrapped, as the documented example answers


_POLICY_TYPES = {CALLING.lower(): CALLING, IP_PHONE.lower(): IP_PHONE}


def _policy_type(raw: Any) -> str:
    policy_type = _POLICY_TYPES.get(str(raw).lower())
    if policy_type is None:
        raise bad_request(f"Policy type '{raw}' is not supported. Supported: {sorted(_POLICY_TYPES.values())}.")
    return policy_type


@route(
    "GET",
    r"/admin/teams/policy/getPolicyId(?P<args>\(.*\))",
    catalog.POLICY_ASSIGN,
    "GET /v1.0/admin/teams/policy/getPolicyId",
)
def get_policy_id(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    args = re.fullmatch(r"\(\s*type\s*=\s*'([^']*)'\s*,\s*name\s*=\s*'([^']*)'\s*\)", unquote(m["args"]))
    if args is None:
        raise bad_request("Bad Request - Error in query syntax: expected getPolicyId(type='...',name='...').")
    policy_type = _policy_type(args[1])
    name = args[2].removeprefix("Tag:")
    if name not in world.policy_names(policy_type):
        raise not_found(f"Policy '{args[2]}' of type '{policy_type}' was not found.", "NotFound")
    shown = "Global" if name == "Global" else f"Tag:{name}"
    context = f"{req.root}/$metadata#Collection(microsoft.graph.teamsAdministration.policyIdentifierDetail)"
    value = [{"name": shown, "policyId": world.policy_id(policy_type, name)}]
    return ApiResponse(200, {"@odata.context": context, "value": value})


def _assignments(world: World, req: ApiRequest, with_policy: bool) -> list[tuple[str, str, str | None]]:
    """Validates the whole request before anything changes (never a half-applied assignment)."""
    items = req.body.get("value") if isinstance(req.body, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ASSIGNMENTS:
        raise bad_request(f"The body must be {{\"value\": [...]}} with 1 to {MAX_ASSIGNMENTS} assignments.")
    out: list[tuple[str, str, str | None]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("userId"), str):
            raise bad_request(f"value[{i}]: userId is required.")
        if item["userId"] not in world.users:
            raise not_found(f"value[{i}]: user '{item['userId']}' was not found.", "NotFound")
        policy_type = _policy_type(item.get("policyType"))
        name: str | None = None
        if with_policy:
            by_id = {world.policy_id(policy_type, n): n for n in world.policy_names(policy_type)}
            name = by_id.get(str(item.get("policyId")))
            if name is None:
                raise not_found(f"value[{i}]: policy '{item.get('policyId')}' of type {policy_type} was not found.")
        out.append((item["userId"], policy_type, None if name == "Global" else name))
    return out


@route(
    "POST",
    r"/admin/teams/policy/userAssignments/assign",
    catalog.POLICY_ASSIGN,
    "POST /v1.0/.../userAssignments/assign",
)
def assign(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    for user_id, policy_type, name in _assignments(world, req, with_policy=True):
        world.assign(user_id, policy_type, name)
    return ApiResponse(204)


@route(
    "POST",
    r"/admin/teams/policy/userAssignments/unassign",
    catalog.POLICY_ASSIGN,
    "POST /v1.0/.../userAssignments/unassign",
)
def unassign(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    for user_id, policy_type, _ in _assignments(world, req, with_policy=False):
        world.assign(user_id, policy_type, None)
    return ApiResponse(204)


def _addresses(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise bad_request(f"{where} must be a list.", "ErrorInvalidRecipients")
    out = []
    for r in raw:
        address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise bad_request("At least one recipient is not valid.", "ErrorInvalidRecipients")
        out.append(address)
    return tuple(out)


@route("POST", r"/users/(?P<key>[^/]+)/sendMail", catalog.MAIL_SEND, "POST /v1.0/users/{id}/sendMail")
def send_mail(world: World, req: ApiRequest, m: re.Match[str]) -> ApiResponse:
    sender = world.find_user(unquote(m["key"]))
    if sender is None or not sender.account_enabled:
        raise not_found(f"The requested user '{unquote(m['key'])}' is invalid.", "ErrorInvalidUser")
    message = req.body.get("message") if isinstance(req.body, dict) else None
    if not isinstance(message, dict):
        raise bad_request("The request body must contain a message.", "ErrorInvalidRequest")
    to = _addresses(message.get("toRecipients"), "toRecipients")
    if not to:
        raise bad_request("At least one recipient is not valid.", "ErrorInvalidRecipients")
    body = message.get("body") or {}
    attachments = []
    for a in message.get("attachments") or []:
        try:
            size = len(base64.b64decode(a["contentBytes"], validate=True))
            attachments.append((str(a["name"]), str(a.get("contentType", "application/octet-stream")), size))
        except (KeyError, TypeError, binascii.Error):
            raise bad_request("An attachment needs name and base64 contentBytes.", "ErrorInvalidRequest") from None
    world.send_mail(
        SentMail(
            sender=sender.upn,
            to=to,
            cc=_addresses(message.get("ccRecipients"), "ccRecipients"),
            subject=str(message.get("subject", "")),
            content_type=str(body.get("contentType", "text")) if isinstance(body, dict) else "text",
            body=str(body.get("content", "")) if isinstance(body, dict) else "",
            attachments=tuple(attachments),
            sent_at=world.now(),
        )
    )
    return ApiResponse(202)


ROUTES: list[Route] = [
    list_users,
    count_users,
    get_user,
    get_license_details,
    send_mail,
    list_user_configurations,
    get_user_configuration,
    get_policy_id,
    assign,
    unassign,
]
"""Order matters only for overlapping patterns (they do not overlap)."""


