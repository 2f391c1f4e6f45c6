"""The Directory port over Microsoft Graph, in as few requests as the tenant's size allows.

- Users: `$filter=userPrincipalName in (...)` with 15 UPNs per request (Graph's limit), 20 such
  requests per `$batch`, `$select` only what the checks read. Licences come from the same answer
  (`assignedLicenses`, `assignedPlans`); `/licenseDetails` via `$batch` only for users whose object
  did not carry `assignedPlans`.
- Teams configuration: per user via `$batch` (one inner request each), or one listing of the whole
  tenant when that costs fewer requests: the tenant's size comes from `$count` on users.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from teams_sip.adapters.graph.batch import MAX_PER_BATCH, BatchRequest, BatchResponse
from teams_sip.adapters.graph.client import GraphClient
from teams_sip.adapters.graph.errors import GraphError, PermissionDenied
from teams_sip.adapters.http import RETRY_STATUSES
from teams_sip.domain.eligibility import (
    Licences,
    Lookup,
    PhoneNumber,
    PlanStatus,
    PolicyAssignment,
    TeamsConfig,
    UserFacts,
)
from teams_sip.errors import TeamsSipError
from teams_sip.service.ports.directory import Assignment, AssignmentResult, Usage

UPNS_PER_FILTER = 15
USER_FIELDS = "id,userPrincipalName,accountEnabled,userType,assignedLicenses,assignedPlans"
CONFIG_FIELDS = (
    "id,userPrincipalName,accountType,isEnterpriseVoiceEnabled,featureTypes,telephoneNumbers,"
    "effectivePolicyAssignments"
)
CONFIG_PATH = "/admin/teams/userConfigurations"
ASSUMED_PAGE = 100  # userConfigurations pages at 100 (and refuses a larger $top)
LISTING_WITHOUT_COUNT = 150
"""When the tenant's size is unknown: list the tenant for rosters above this many users."""
ASSIGNMENTS_PER_REQUEST = 20
_ENABLED = {"success", "enabled", "warning"}
_PENDING = {"pendinginput", "pendingactivation", "pendingprovisioning"}


def plan_status(raw: object) -> PlanStatus:
    """licenseDetails' provisioningStatus or assignedPlans' capabilityStatus, folded to three states."""
    text = str(raw or "").lower()
    if text in _ENABLED:
        return PlanStatus.ENABLED
    if text in _PENDING:
        return PlanStatus.PENDING
    return PlanStatus.DISABLED


def _merge(plans: dict[str, PlanStatus], plan_id: str, status: PlanStatus) -> None:
    """A plan delivered by two SKUs counts at its best state."""
    rank = {PlanStatus.ENABLED: 2, PlanStatus.PENDING: 1, PlanStatus.DISABLED: 0}
    key = plan_id.lower()
    if key not in plans or rank[status] > rank[plans[key]]:
        plans[key] = status


def licences_from_user(user: Mapping[str, Any]) -> Licences | None:
    plans_raw, skus_raw = user.get("assignedPlans"), user.get("assignedLicenses")
    if not isinstance(plans_raw, list):
        return None
    plans: dict[str, PlanStatus] = {}
    for plan in plans_raw:
        if isinstance(plan, dict) and plan.get("servicePlanId"):
            _merge(plans, str(plan["servicePlanId"]), plan_status(plan.get("capabilityStatus")))
    skus = {str(s["skuId"]).lower() for s in skus_raw or [] if isinstance(s, dict) and s.get("skuId")}
    return Licences(frozenset(skus), plans)


def licences_from_details(details: Iterable[Any]) -> Licences:
    plans: dict[str, PlanStatus] = {}
    skus: set[str] = set()
    for sku in details:
        if not isinstance(sku, dict):
            continue
        if sku.get("skuId"):
            skus.add(str(sku["skuId"]).lower())
        for plan in sku.get("servicePlans") or []:
            if isinstance(plan, dict) and plan.get("servicePlanId"):
                _merge(plans, str(plan["servicePlanId"]), plan_status(plan.get("provisioningStatus")))
    return Licences(frozenset(skus), plans)


def teams_config(body: Any) -> TeamsConfig | None:
    """A userConfiguration; the documented single-get example wraps it in "value", so unwrap it."""
    if isinstance(body, dict) and "accountType" not in body and isinstance(body.get("value"), dict | list):
        inner = body["value"]
        body = inner[0] if isinstance(inner, list) and inner else inner
    if not isinstance(body, dict):
        return None
    numbers = tuple(
        PhoneNumber(str(n.get("telephoneNumber") or ""), str(n.get("assignmentCategory") or ""))
        for n in body.get("telephoneNumbers") or []
        if isinstance(n, dict)
    )
    policies = []
    for entry in body.get("effectivePolicyAssignments") or []:
        if not isinstance(entry, dict):
            continue
        raw = entry.get("policyAssignment")
        assignment: dict[str, Any] = raw if isinstance(raw, dict) else {}
        policies.append(
            PolicyAssignment(
                policy_type=str(entry.get("policyType") or ""),
                name=str(assignment.get("displayName") or "Global"),
                policy_id=assignment.get("policyId"),
                assignment_type=assignment.get("assignmentType"),
            )
        )
    voice = body.get("isEnterpriseVoiceEnabled")
    return TeamsConfig(
        account_type=str(body.get("accountType") or "unknown"),
        enterprise_voice=voice if isinstance(voice, bool) else None,
        phone_numbers=numbers,
        policies=tuple(policies),
        feature_types=tuple(str(f) for f in body.get("featureTypes") or []),
    )


def _filter_url(upns: Sequence[str]) -> str:
    values = ",".join("'" + u.replace("'", "''") + "'" for u in upns)
    query = {"$filter": f"userPrincipalName in ({values})", "$select": USER_FIELDS, "$top": str(UPNS_PER_FILTER)}
    return "/users?" + urlencode(query, quote_via=quote, safe="$,()")


def _failure(response: BatchResponse, url: str) -> tuple[Lookup, str]:
    error = response.error("GET", url)
    if isinstance(error, PermissionDenied):
        return Lookup.FORBIDDEN, str(error)
    return Lookup.FAILED, str(error) if error else f"status {response.status}"


class GraphDirectory:
    """Implements the Directory port. Read-only `$batch` envelopes that fail as a whole (503/504/429
    after the client's own retries) are resent chunk by chunk: the client stack does not resend a
    POST, but a `$batch` of GETs changes nothing, so resending it is safe."""

    def __init__(self, client: GraphClient, tenant_users: int | None = None) -> None:
        self._client = client
        self._tenant_users = tenant_users  # known size skips the $count probe (tests, benchmarks)

    async def _read_batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        chunks = [requests[i : i + MAX_PER_BATCH] for i in range(0, len(requests), MAX_PER_BATCH)]
        answers = await asyncio.gather(*(self._read_chunk(chunk) for chunk in chunks))
        return {k: v for answer in answers for k, v in answer.items()}

    async def _read_chunk(self, chunk: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        attempt = 0
        while True:
            try:
                return await self._client.batch(chunk)
            except GraphError as exc:
                attempt += 1
                wait = self._client.policy.delay(attempt, None) if exc.status in RETRY_STATUSES else None
                if wait is None:
                    error = {"error": {"code": exc.code, "message": exc.graph_message}}
                    return {r.id: BatchResponse(r.id, exc.status, error) for r in chunk}
                self._client.metrics.record_retry()
                await asyncio.sleep(wait)

    def usage(self) -> Usage:
        m = self._client.metrics.snapshot()
        return Usage(m["requests"], m["batch_inner_requests"], m["throttled"] + m["inner_throttled"], m["retries"])

    async def read_users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        wanted = list(dict.fromkeys(u.strip() for u in upns if u.strip()))
        facts = await self._users(wanted)
        found = {k: f for k, f in facts.items() if f.lookup is Lookup.FOUND and f.user_id}
        if facts and found == {} and all(f.lookup is Lookup.FORBIDDEN for f in facts.values()):
            raise TeamsSipError(next(iter(facts.values())).lookup_detail)
        await self._licence_details(facts)
        await self._configurations(facts, found)
        return facts

    async def _users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        chunks = [upns[i : i + UPNS_PER_FILTER] for i in range(0, len(upns), UPNS_PER_FILTER)]
        requests = [BatchRequest(f"u{n}", _filter_url(chunk)) for n, chunk in enumerate(chunks)]
        answers = await self._read_batch(requests)
        facts: dict[str, UserFacts] = {}
        for n, chunk in enumerate(chunks):
            answer = answers[f"u{n}"]
            if not answer.ok:
                lookup, detail = _failure(answer, "/users")
                facts.update({u.casefold(): UserFacts(u, lookup, detail) for u in chunk})
                continue
            items = answer.body.get("value") if isinstance(answer.body, dict) else None
            by_upn = {
                str(i.get("userPrincipalName", "")).casefold(): i for i in items or [] if isinstance(i, dict)
            }
            for upn in chunk:
                user = by_upn.get(upn.casefold())
                if user is None:
                    facts[upn.casefold()] = UserFacts(upn, Lookup.NOT_FOUND, "no such userPrincipalName")
                    continue
                enabled = user.get("accountEnabled")
                facts[upn.casefold()] = UserFacts(
                    upn=upn,
                    lookup=Lookup.FOUND,
                    user_id=str(user.get("id") or "") or None,
                    account_enabled=enabled if isinstance(enabled, bool) else None,
                    user_type=user.get("userType"),
                    licences=licences_from_user(user),
                )
        return facts

    async def _licence_details(self, facts: dict[str, UserFacts]) -> None:
        missing = [f for f in facts.values() if f.lookup is Lookup.FOUND and f.user_id and f.licences is None]
        if not missing:
            return
        requests = [BatchRequest(f"l{n}", f"/users/{f.user_id}/licenseDetails") for n, f in enumerate(missing)]
        answers = await self._read_batch(requests)
        for n, f in enumerate(missing):
            answer = answers[f"l{n}"]
            key = f.upn.casefold()
            if answer.ok and isinstance(answer.body, dict):
                facts[key] = _with(f, licences=licences_from_details(answer.body.get("value") or []))
            else:
                facts[key] = _with(f, licences_error=_failure(answer, "/users/x/licenseDetails")[1])

    async def _configurations(self, facts: dict[str, UserFacts], found: Mapping[str, UserFacts]) -> None:
        if not found:
            return
        tenant = self._tenant_users if self._tenant_users is not None else await self._count_users()
        listing_is_cheaper = (
            math.ceil(tenant / ASSUMED_PAGE) < len(found) if tenant is not None else len(found) > LISTING_WITHOUT_COUNT
        )
        if listing_is_cheaper:
            await self._configurations_by_listing(facts, found)
        else:
            await self._configurations_by_user(facts, found)

    async def _count_users(self) -> int | None:
        """Tenant size from one small request; None when the service does not answer a count."""
        request = BatchRequest(
            "count", "/users?$count=true&$top=1&$select=id", headers={"ConsistencyLevel": "eventual"}
        )
        answer = (await self._read_batch([request]))["count"]
        count = answer.body.get("@odata.count") if answer.ok and isinstance(answer.body, dict) else None
        return count if isinstance(count, int) else None

    async def _configurations_by_user(self, facts: dict[str, UserFacts], found: Mapping[str, UserFacts]) -> None:
        users = list(found.values())
        requests = [
            BatchRequest(f"c{n}", f"{CONFIG_PATH}/{u.user_id}?$select={CONFIG_FIELDS}") for n, u in enumerate(users)
        ]
        answers = await self._read_batch(requests)
        for n, user in enumerate(users):
            answer = answers[f"c{n}"]
            config = teams_config(answer.body) if answer.ok else None
            if config is not None:
                facts[user.upn.casefold()] = _with(user, teams=config)
            elif answer.status == 404:
                facts[user.upn.casefold()] = _with(user, teams_error="Teams has no configuration for this user yet")
            else:
                facts[user.upn.casefold()] = _with(user, teams_error=_failure(answer, CONFIG_PATH)[1])

    async def _configurations_by_listing(self, facts: dict[str, UserFacts], found: Mapping[str, UserFacts]) -> None:
        by_id = {str(u.user_id).lower(): u for u in found.values()}
        seen: set[str] = set()
        try:
            params = {"$select": CONFIG_FIELDS}
            async for page in self._client.iter_pages(CONFIG_PATH, params):
                for item in page:
                    user = by_id.get(str(item.get("id", "")).lower())
                    config = teams_config(item) if user is not None else None
                    if user is not None and config is not None:
                        facts[user.upn.casefold()] = _with(user, teams=config)
                        seen.add(str(user.user_id).lower())
        except GraphError as exc:
            for key, user in by_id.items():
                if key not in seen:
                    facts[user.upn.casefold()] = _with(user, teams_error=str(exc))
            return
        for key, user in by_id.items():
            if key not in seen:
                facts[user.upn.casefold()] = _with(user, teams_error="Teams has no configuration for this user yet")

    async def policy_id(self, policy_type: str, name: str) -> str | None:
        return await self._client.policy_id(policy_type, name)

    async def assign(self, assignments: Sequence[Assignment]) -> list[AssignmentResult]:
        size = ASSIGNMENTS_PER_REQUEST
        chunks = [assignments[i : i + size] for i in range(0, len(assignments), size)]
        requests = [
            BatchRequest(
                f"a{n}",
                "/admin/teams/policy/userAssignments/assign",
                method="POST",
                body={
                    "value": [
                        {"userId": a.user_id, "policyType": a.policy_type, "policyId": a.policy_id} for a in chunk
                    ]
                },
            )
            for n, chunk in enumerate(chunks)
        ]
        try:
            answers = await self._client.batch(requests)
        except GraphError as exc:  # not resent: the assignments may have been made
            failed = {"error": {"code": exc.code, "message": exc.graph_message}}
            answers = {r.id: BatchResponse(r.id, exc.status or 503, failed) for r in requests}
        results: list[AssignmentResult] = []
        for n, chunk in enumerate(chunks):
            answer = answers[f"a{n}"]
            error = "" if answer.ok else str(answer.error("POST", "/admin/teams/policy/userAssignments/assign"))
            results.extend(AssignmentResult(a.user_id, answer.ok, error) for a in chunk)
        return results


def _with(facts: UserFacts, **changes: Any) -> UserFacts:
    return replace(facts, **changes)
