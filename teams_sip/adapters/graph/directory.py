"""The Directory port over Microsoft Graph, in as few requests as the tenant's size allows.

- Users: `$filter=userPrincipalName in (...)` with 15 UPNs per request (Graph's limit), 20 such
  requests per `$batch`, `$select` only what the checks read; or, when the roster is most of the
  tenant, pages of 999 users. Licences come from the same answer (`assignedLicenses`,
  `assignedPlans`) and from nowhere else: Microsoft's permission table for `/users/{id}/licenseDetails`
  supports no application permission, so a user whose object carries no `assignedPlans` has
  licences that cannot be judged (the checks say so) rather than a second request that would fail.
- Teams configuration: per user via `$batch` (one inner request each), or one listing of the whole
  tenant when that costs fewer requests and is not slower (the tenant's size comes from `$count`),
  with lookups of the users it has not reached spending the budget it leaves idle (config_reads.py).
- Independent reads overlap (user reads, configuration reads), so a large roster is limited by the
  throttle budget, not by round trips one after the other; a roster large enough to be listed even in
  a tenant its own size begins the listing beside the size probe instead of a round trip after it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

from teams_sip import throttling_limits as limits
from teams_sip.adapters.graph.batch import BatchRequest, BatchResponse
from teams_sip.adapters.graph.client import GraphClient
from teams_sip.adapters.graph.config_reads import (
    PAGE_ROUND_TRIP_S,
    RunningListing,
    TenantListing,
    look_up_each,
    race_listing,
)
from teams_sip.adapters.graph.errors import GraphError
from teams_sip.adapters.graph.lookup_failures import answer_failure, lookup_failure
from teams_sip.domain.eligibility import (
    Licences,
    Lookup,
    PlanStatus,
    UserFacts,
)
from teams_sip.errors import TeamsSipError
from teams_sip.service.ports.directory import Assignment, AssignmentResult, Usage

UPNS_PER_FILTER = 15
USER_FIELDS = "id,userPrincipalName,accountEnabled,userType,assignedLicenses,assignedPlans"
ASSUMED_PAGE = 100  # userConfigurations pages at 100 (and refuses a larger $top)
LISTING_WITHOUT_COUNT = 150
"""When the tenant's size is unknown: list the tenant for rosters above this many users."""
USERS_PAGE = 999  # users take $top up to 999 (docs/microsoft.md "Paging")
USERS_PAGE_ROUND_TRIP_S = 0.5
"""One listing page of 999 users with their plans: larger answers, so slower than a lookup of 15."""
LOOKUPS_PER_S = limits.TEAMS_OTHER_GET_PER_S
"""Configuration lookups per second at the default Teams budget (GRAPH_TEAMS_REQUESTS_PER_SECOND)."""
USER_LOOKUPS_PER_S = limits.IDENTITY_UNITS_PER_10S["S"] / limits.IDENTITY_WINDOW_S
"""Filtered user lookups (one resource unit each) per second at the default identity budget."""
SPARE_SHARE = 0.7
"""Share of the Teams budget lookups take beside a running listing: the rest is room for the listing's
own pages. Sent faster, they would be throttled, and a throttled page stalls the listing."""
ASSIGNMENTS_PER_REQUEST = 20
_ENABLED = {"success", "enabled", "warning"}
_PENDING = {"pendinginput", "pendingactivation", "pendingprovisioning"}


def plan_status(raw: object) -> PlanStatus:
    """assignedPlans' capabilityStatus (Enabled, Warning, Suspended, Deleted, LockedOut) folded to three
    states; licenseDetails' provisioningStatus words are understood too."""
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


NO_PLANS = "Graph returned the user without assignedPlans"
PLANS_NOT_LISTED = "licences are assigned, but Graph lists none of their service plans (assignedPlans is empty)"


def licences_from_user(user: Mapping[str, Any]) -> tuple[Licences | None, str | None]:
    """The user's licences from `assignedPlans` (and SKUs from `assignedLicenses`), or None and why
    they cannot be judged: no `assignedPlans` at all, or SKUs assigned with no plan listed for them.
    An empty `assignedPlans` beside no `assignedLicenses` is an unlicensed user."""
    plans_raw, skus_raw = user.get("assignedPlans"), user.get("assignedLicenses")
    if not isinstance(plans_raw, list):
        return None, NO_PLANS
    skus = {str(s["skuId"]).lower() for s in skus_raw or [] if isinstance(s, dict) and s.get("skuId")}
    if not plans_raw and skus:
        return None, PLANS_NOT_LISTED
    plans: dict[str, PlanStatus] = {}
    for plan in plans_raw:
        if isinstance(plan, dict) and plan.get("servicePlanId"):
            _merge(plans, str(plan["servicePlanId"]), plan_status(plan.get("capabilityStatus")))
    return Licences(frozenset(skus), plans), None


def listing_is_cheaper(tenant_users: int | None, roster_users: int, lookups_per_s: float = LOOKUPS_PER_S) -> bool:
    """Pages of the whole tenant against one inner request per roster user. The listing never wins
    on more requests; on fewer it wins only when it is also not slower, since its pages come one
    after another while lookups go out side by side, limited by the throttle budget. Judged on the
    roster's size, before lookups say who exists, so the listing can start at once."""
    if tenant_users is None:
        return roster_users > LISTING_WITHOUT_COUNT
    return _paging_pays(math.ceil(tenant_users / ASSUMED_PAGE), PAGE_ROUND_TRIP_S, roster_users, lookups_per_s)


def _listing_may_pay(roster_users: int, http: Any) -> bool:
    """Whether to begin the tenant listing before `$count` answers: only when it would pay even in a
    tenant no larger than the roster (the smallest the tenant can be for a roster that exists) and
    takes two chains. Should the count then favour lookups, the listing is stopped after the page or
    two each chain got meanwhile: that is the price of not holding both chains back a round trip."""
    return roster_users > ASSUMED_PAGE and listing_is_cheaper(roster_users, roster_users,
                                                              http.teams_requests_per_second)


def user_listing_is_cheaper(tenant_users: int | None, roster_users: int,
                            lookups_per_s: float = USER_LOOKUPS_PER_S) -> bool:
    """Pages of every user in the tenant against filtered lookups of 15 UPNs each, by the same rule as
    the configurations: fewer requests and not slower. Pays off when the roster is most of the tenant."""
    if tenant_users is None:
        return False
    return _paging_pays(math.ceil(tenant_users / USERS_PAGE), USERS_PAGE_ROUND_TRIP_S,
                        math.ceil(roster_users / UPNS_PER_FILTER), lookups_per_s)


def _paging_pays(pages: int, page_seconds: float, lookups: int, lookups_per_s: float) -> bool:
    """Fewer requests than the lookups, and pages in a row no slower than lookups at the budget's pace."""
    return pages < lookups and pages * page_seconds <= lookups / lookups_per_s


def _filter_url(upns: Sequence[str]) -> str:
    values = ",".join("'" + u.replace("'", "''") + "'" for u in upns)
    query = {"$filter": f"userPrincipalName in ({values})", "$select": USER_FIELDS, "$top": str(UPNS_PER_FILTER)}
    return "/users?" + urlencode(query, quote_via=quote, safe="$,()")


class GraphDirectory:
    """Implements the Directory port. Reads that do not depend on each other run side by side, so a
    run waits on the throttle budget rather than on a chain of round trips: once the tenant-size
    probe has answered, the user reads and a whole-tenant listing of Teams configurations (when the
    size says it is the cheaper way) run at the same time."""

    def __init__(self, client: GraphClient, tenant_users: int | None = None, *,
                 ahead: RunningListing | None = None) -> None:
        self._client = client
        self._tenant_users = tenant_users  # known size skips the $count probe (tests, benchmarks)
        self._ahead = ahead  # a listing begun before the roster was read: taken if a listing pays, else stopped
        self.listed_chains = 0  # chains of the tenant listing the last read_users used (0: lookups only)

    def _lanes(self, chains: int = 1) -> int:
        """Envelopes one lookup may keep in flight: a slot of the client's bound stays free for each
        listing chain running alongside, so its pages never queue behind a wall of lookups."""
        return max(1, self._client.settings.http.max_concurrency - chains)

    def usage(self) -> Usage:
        m = self._client.metrics.snapshot()
        return Usage(m["requests"], m["batch_inner_requests"], m["throttled"] + m["inner_throttled"], m["retries"])

    async def read_users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        wanted = list(dict.fromkeys(u.strip() for u in upns if u.strip()))
        tasks: list[asyncio.Task[Any]] = []
        ahead, self._ahead = self._ahead, None
        try:
            if not wanted:
                return {}
            http = self._client.settings.http
            if ahead is None and self._tenant_users is None and _listing_may_pay(len(wanted), http):
                ahead = await RunningListing.begin(self._client, 2)  # its chains need not wait for the size
            size = await self._tenant_size()  # one round trip; it decides how both reads are made
            listing: TenantListing | None = None
            if listing_is_cheaper(size, len(wanted), http.teams_requests_per_second):
                running, ahead = ahead or await self._begin_listing(size), None
                listing = running.listing
                tasks.append(running.task)
            elif ahead is not None:  # begun for nothing: lookups are the cheaper way this time
                await ahead.stop()
                ahead = None
            self.listed_chains = listing.chains if listing is not None else 0
            by_list = user_listing_is_cheaper(size, len(wanted), http.identity_units_per_10s / limits.IDENTITY_WINDOW_S)
            reading = self._listed_users(wanted) if by_list else self._users(wanted, self.listed_chains)
            users = asyncio.create_task(reading)
            tasks.append(users)
            facts = await users
            found = {k: f for k, f in facts.items() if f.lookup is Lookup.FOUND and f.user_id}
            if found == {} and all(f.lookup is Lookup.FORBIDDEN for f in facts.values()):
                raise TeamsSipError(next(iter(facts.values())).lookup_detail)
            if listing is None:
                configs = look_up_each(self._client, found, self._lanes())
            else:
                spare = SPARE_SHARE * http.teams_requests_per_second
                configs = race_listing(self._client, listing, found, lanes=self._lanes(2), per_second=spare)
            teams = await configs
        finally:
            if ahead is not None:  # begun for nothing: lookups are the cheaper way this time
                await ahead.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for key, changes in teams.items():
            facts[key] = _with(facts[key], **changes)
        return facts

    async def _begin_listing(self, size: int | None) -> RunningListing:
        return await RunningListing.begin(self._client, 1 if size is not None and size <= ASSUMED_PAGE else 2)

    async def _tenant_size(self) -> int | None:
        return self._tenant_users if self._tenant_users is not None else await self._count_users()

    async def _users(self, upns: Sequence[str], chains: int = 1) -> dict[str, UserFacts]:
        chunks = [upns[i : i + UPNS_PER_FILTER] for i in range(0, len(upns), UPNS_PER_FILTER)]
        requests = [BatchRequest(f"u{n}", _filter_url(chunk)) for n, chunk in enumerate(chunks)]
        answers = await self._client.batch(requests, max_in_flight=self._lanes(max(1, chains)))
        facts: dict[str, UserFacts] = {}
        for n, chunk in enumerate(chunks):
            answer = answers[f"u{n}"]
            if not answer.ok:
                lookup, detail = answer_failure(answer, "/users")
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
                facts[upn.casefold()] = _found(upn, user)
        return facts

    async def _listed_users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        """Every user of the tenant, page by page, keeping the roster's; a UPN the whole listing never
        showed does not exist, one it had not reached when it failed gets the failure."""
        wanted = {u.casefold(): u for u in upns}
        facts: dict[str, UserFacts] = {}
        failure: tuple[Lookup, str] | None = None
        try:
            async for page in self._client.iter_pages("/users", {"$select": USER_FIELDS, "$top": str(USERS_PAGE)}):
                for user in page:
                    key = str(user.get("userPrincipalName", "")).casefold()
                    if key in wanted:
                        facts[key] = _found(wanted[key], user)
        except GraphError as exc:
            failure = lookup_failure(exc)
        for key, upn in wanted.items():
            if key not in facts:
                lookup, detail = failure or (Lookup.NOT_FOUND, "no such userPrincipalName")
                facts[key] = UserFacts(upn, lookup, detail)
        return facts

    async def _count_users(self) -> int | None:
        """Tenant size from one small request; None when the service does not answer a count."""
        request = BatchRequest(
            "count", "/users?$count=true&$top=1&$select=id", headers={"ConsistencyLevel": "eventual"}
        )
        answer = (await self._client.batch([request]))["count"]
        count = answer.body.get("@odata.count") if answer.ok and isinstance(answer.body, dict) else None
        return count if isinstance(count, int) else None

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


def _found(upn: str, user: Mapping[str, Any]) -> UserFacts:
    enabled = user.get("accountEnabled")
    licences, why = licences_from_user(user)
    return UserFacts(
        upn=upn,
        lookup=Lookup.FOUND,
        user_id=str(user.get("id") or "") or None,
        account_enabled=enabled if isinstance(enabled, bool) else None,
        user_type=user.get("userType"),
        licences=licences,
        licences_error=why,
    )


def _with(facts: UserFacts, **changes: Any) -> UserFacts:
    return replace(facts, **changes)
