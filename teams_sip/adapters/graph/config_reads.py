"""Teams configurations of the roster's users, read the quickest way the throttle budget allows.

A small share of the tenant: one `$batch` inner lookup per user, side by side. A large share: one
listing of the whole tenant (far fewer requests), started before the users' object ids are known.
Its pages come one after another, each link known only from the page before, so a listing alone
leaves most of the budget idle; while it runs, that idle budget looks up the users it has not
reached yet. Whichever source answers a user first counts, and once every user is answered the
listing stops: sooner than the listing alone and sooner than lookups alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from teams_sip.adapters.graph.batch import MAX_PER_BATCH, BatchRequest, BatchResponse
from teams_sip.adapters.graph.client import BULK_SHARE, GraphClient
from teams_sip.adapters.graph.errors import GraphError
from teams_sip.adapters.graph.lookup_failures import answer_failure
from teams_sip.domain.eligibility import PhoneNumber, PolicyAssignment, TeamsConfig, UserFacts
from teams_sip.throttling_limits import TEAMS

CONFIG_FIELDS = (
    "id,userPrincipalName,accountType,isEnterpriseVoiceEnabled,featureTypes,telephoneNumbers,"
    "effectivePolicyAssignments"
)
CONFIG_PATH = "/admin/teams/userConfigurations"
UNKNOWN_ENUM_MEMBERS = {"Prefer": "include-unknown-enum-members"}
"""Sent on every userConfigurations request, single lookups and listing pages alike: accountType is an
evolvable enum, and Graph names `ineligibleUser` only to clients that ask with this header (to the
others it says `unknownFutureValue`)."""
NO_CONFIGURATION = "Teams has no configuration for this user yet"
LISTING_ORDER = "id"
"""Unverified: Microsoft's page for this listing names `$orderBy` but not the properties it sorts by.
The listing asks for ascending object ids so that lookups can work from the other end and the two
meet in the middle. A refusal (400) is met by listing without it, and the order is checked as pages
arrive: lookups are sent only while it holds. Correct in any order; faster only in this one."""


def teams_config(body: Any) -> TeamsConfig | None:
    """A userConfiguration. The documented answer of the single GET wraps the object in "value";
    a bare object (as a listing's items come) is read as well."""
    wrapped = isinstance(body, dict) and not {"id", "accountType"} & body.keys()
    if wrapped and isinstance(body.get("value"), dict | list):
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


def _lookup(n: int, user_id: str) -> BatchRequest:
    return BatchRequest(f"c{n}", f"{CONFIG_PATH}/{user_id}?$select={CONFIG_FIELDS}", headers=UNKNOWN_ENUM_MEMBERS)


async def look_up_each(client: GraphClient, found: Mapping[str, UserFacts], lanes: int) -> dict[str, dict[str, Any]]:
    """One `$batch` inner request per found user (the cheaper way for a small share of the tenant)."""
    users = list(found.values())
    requests = [_lookup(n, str(u.user_id)) for n, u in enumerate(users)]
    answers = await client.batch(requests, max_in_flight=lanes) if requests else {}
    changes: dict[str, dict[str, Any]] = {}
    for n, user in enumerate(users):
        config, failure = _read(answers[f"c{n}"])
        if config is not None:
            changes[user.upn.casefold()] = {"teams": config}
        else:
            changes[user.upn.casefold()] = {"teams_error": failure or NO_CONFIGURATION}
    return changes


def _read(answer: BatchResponse) -> tuple[TeamsConfig | None, str | None]:
    """One lookup's answer: (the configuration, None); (None, None) when Teams has none (404); or
    (None, why it failed)."""
    config = teams_config(answer.body) if answer.ok else None
    if config is not None or answer.status == 404:
        return config, None
    return None, answer_failure(answer, CONFIG_PATH)[1]


class TenantListing:
    """Every user's Teams configuration from the whole tenant, read from both ends of the id order at
    once (two chains of pages, meeting in the middle), started before the roster's object ids are
    known so it overlaps the user lookups: pages that arrive earlier are held until `match` names
    the users, later pages are filtered as they come. Lookups running beside it report through
    `answer`; `settled` is set once every named user is answered or the listing has ended. Should the
    pages not come in the order asked for, the descending chain stops (it would repeat the other).
    A tenant that fits on one page gets one chain (`chains=1`)."""

    def __init__(self, client: GraphClient, *, chains: int = 2) -> None:
        self._client = client
        self.chains = chains
        self._held: list[list[dict[str, Any]]] | None = []
        self.remaining: set[str] = set()
        self.configs: dict[str, TeamsConfig] = {}
        self.absent: set[str] = set()
        self.failures: dict[str, str] = {}
        self.error: str | None = None
        self.ended = False
        self.complete = False  # every configuration in the tenant has been seen
        self.settled = asyncio.Event()
        self.in_order = True  # as far as the pages so far show
        self.paged = asyncio.Event()  # a page in the order asked for has come: the order can be judged
        self._reached: dict[bool, str] = {}  # last id each chain (descending or not) has seen
        self._arrivals: list[float] = []  # when pages came (both chains), for the listing's pace

    async def run(self) -> None:
        ends = (False, True)[: self.chains]
        chains = await asyncio.gather(*(self._chain(descending) for descending in ends), return_exceptions=True)
        for outcome in chains:
            if isinstance(outcome, BaseException) and not isinstance(outcome, GraphError):
                raise outcome
        errors = [str(e) for e in chains if isinstance(e, GraphError)]
        if errors and not self.complete:  # users not answered yet get this error; those answered keep theirs
            self.error = errors[0]
        self.ended = True
        self.settled.set()

    async def _chain(self, descending: bool) -> None:
        order = f"{LISTING_ORDER} desc" if descending else LISTING_ORDER
        try:
            await self._pages({"$select": CONFIG_FIELDS, "$orderby": order}, descending)
        except GraphError as exc:
            if descending:  # the ascending chain lists the tenant on its own
                return
            if exc.status != 400 or descending in self._reached:
                raise
            self.in_order = False  # the order is refused: list in the service's own order
            await self._pages({"$select": CONFIG_FIELDS}, None)

    async def _pages(self, params: dict[str, str], descending: bool | None) -> None:
        """One chain of pages to its end (then the tenant is complete), or until it meets the other
        chain, or (descending) until the order is found not to hold."""
        async for page in self._client.iter_pages(CONFIG_PATH, params, headers=UNKNOWN_ENUM_MEMBERS):
            if descending is not None:
                self._follow(page, descending)
            self._take(page)
            if self.complete or (descending and not self.in_order):
                return
            if self.in_order and len(self._reached) == 2 and self._reached[False] >= self._reached[True]:
                break  # the chains have met: between them they saw every configuration
        self.complete = True
        self.settled.set()

    def _follow(self, page: Iterable[dict[str, Any]], descending: bool) -> None:
        last = self._reached.get(descending)
        for item in page:
            key = str(item.get("id", "")).lower()
            if last is not None and (key > last if descending else key < last):
                self.in_order = False
            last = key
        if last is not None:
            self._reached[descending] = last
        self.paged.set()

    def page_rate(self) -> float | None:
        """Pages per second over the last few pages of both chains; None before two have come."""
        recent = self._arrivals[-10:]
        if len(recent) < 2 or recent[-1] <= recent[0]:
            return None
        return (len(recent) - 1) / (recent[-1] - recent[0])

    def _take(self, page: list[dict[str, Any]]) -> None:
        self._arrivals.append(time.monotonic())
        if self._held is not None:
            self._held.append(page)
        else:
            self._keep(page)

    def match(self, user_ids: Iterable[str]) -> None:
        self.remaining = {i.lower() for i in user_ids}
        held, self._held = self._held or [], None
        for page in held:
            self._keep(page)
        if not self.remaining:
            self.settled.set()

    def answer(self, key: str, config: TeamsConfig | None) -> None:
        """A user's configuration (None: Teams has none) from either source; the first answer counts."""
        if key not in self.remaining:
            return
        if config is None:
            self.absent.add(key)
        else:
            self.configs[key] = config
        self.remaining.discard(key)
        if not self.remaining:
            self.settled.set()

    def outcome(self, key: str) -> dict[str, Any]:
        if key in self.configs:
            return {"teams": self.configs[key]}
        if key in self.absent or self.complete:  # the whole tenant was seen without them
            return {"teams_error": NO_CONFIGURATION}
        return {"teams_error": self.failures.get(key) or self.error or NO_CONFIGURATION}

    def _keep(self, page: Iterable[dict[str, Any]]) -> None:
        for item in page:
            key = str(item.get("id", "")).lower()
            config = teams_config(item) if key in self.remaining else None
            if config is not None:
                self.answer(key, config)


class RunningListing:
    """A TenantListing already under way, begun (`begin`, on the client's loop) before its caller knew
    whom it would need: a pass starts it as it starts, when the last pre-flight listed the tenant, so
    its page chains overlap the pass's own reads. The directory that takes it stops it; `stop` is
    safe to repeat."""

    def __init__(self, listing: TenantListing, task: asyncio.Task[None]) -> None:
        self.listing, self.task = listing, task

    @classmethod
    async def begin(cls, client: GraphClient, chains: int) -> RunningListing:
        listing = TenantListing(client, chains=chains)
        return cls(listing, asyncio.create_task(listing.run()))

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def race_listing(
    client: GraphClient, listing: TenantListing, found: Mapping[str, UserFacts], *, lanes: int, per_second: float
) -> dict[str, dict[str, Any]]:
    """The found users' configurations from a running `listing`, with lookups of the users it has not
    reached sent beside it at `per_second` (the budget the listing leaves idle), at most `lanes`
    envelopes at a time, from the middle of the id order outwards (where the listing's two chains
    meet last) and only while the pages keep that order: out of order, a lookup would most likely
    ask about a user the listing is about to bring anyway. The caller stops the listing."""
    ids = {str(u.user_id).lower(): str(u.user_id) for u in found.values()}
    listing.match(ids)
    order = _middle_out(sorted(ids))
    sending: set[asyncio.Task[None]] = set()
    cursor, pace = 0, LookupPace(per_second)
    budget = client.settings.http.teams_requests_per_second
    await _first(listing.paged, listing.settled)  # no lookups before a page shows the order holds
    try:
        while not listing.settled.is_set():
            sending = {task for task in sending if not task.done()}
            pace.cap(spare_lookups(budget, listing.page_rate() or listing.chains / PAGE_ROUND_TRIP_S, per_second))
            if len(sending) < lanes and listing.in_order and pace.per_second >= 1:
                chunk: list[str] = []
                size = min(MAX_PER_BATCH, int(pace.per_second))  # about a second of the spare budget
                while cursor < len(order) and len(chunk) < size:
                    if order[cursor] in listing.remaining:
                        chunk.append(order[cursor])
                    cursor += 1
                if chunk:
                    sending.add(asyncio.create_task(_look_up(client, listing, [(k, ids[k]) for k in chunk], pace)))
            step = min(MAX_PER_BATCH, int(pace.per_second)) / pace.per_second if pace.per_second >= 1 else IDLE_CHECK_S
            with contextlib.suppress(TimeoutError):  # time for the next envelope of lookups
                await asyncio.wait_for(listing.settled.wait(), step)
        if listing.remaining:  # the listing ended first: lookups still out may answer the rest
            await asyncio.gather(*sending)
    finally:
        for task in sending:
            task.cancel()
        await asyncio.gather(*sending, return_exceptions=True)
    return {user.upn.casefold(): listing.outcome(str(user.user_id).lower()) for user in found.values()}


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _middle_out(ordered: Sequence[str]) -> list[str]:
    """The middle item first, then its neighbours on both sides in turn, out to the two ends."""
    middle = len(ordered) // 2
    by_distance = sorted(range(len(ordered)), key=lambda n: abs(n - middle))
    return [ordered[n] for n in by_distance]


PAGE_ROUND_TRIP_S = 0.1
"""One listing page of 100 configurations: network latency plus the service's own time (assumed until
the listing's own pages show their pace)."""
IDLE_CHECK_S = 0.05
"""How often the race looks again when the listing's own pages take the whole Teams budget."""


def spare_lookups(budget: float, page_rate: float, ceiling: float) -> float:
    """Lookups per second the Teams budget leaves beside the listing's own pages (`page_rate`), at most
    `ceiling`: under a budget of requests a page (100 users) is worth a hundred lookups, so lookups
    only take what the pages cannot use."""
    return max(0.0, min(ceiling, BULK_SHARE * budget - page_rate))


class LookupPace:
    """Lookups per second beside a listing, at most the `ceiling` asked for: halved whenever the budget
    answers 429 (a throttled page stalls its chain for the whole Retry-After), grown back by a tenth
    with each envelope that went through without one. Only Teams' own 429s count."""

    def __init__(self, ceiling: float) -> None:
        self.ceiling = self.per_second = ceiling

    def cap(self, ceiling: float) -> None:
        """A new ceiling (what the listing leaves): the pace follows it down, and back up from a
        sixteenth of it."""
        self.ceiling = ceiling
        self.per_second = min(max(self.per_second, ceiling / 16), ceiling)

    def after(self, throttled: bool) -> None:
        if throttled:
            self.per_second = max(self.ceiling / 16, self.per_second / 2)
        else:
            self.per_second = min(self.ceiling, self.per_second * 1.1)


def _throttled(client: GraphClient) -> int:
    """429s from Teams only: a throttled users read says nothing about the Teams budget."""
    return client.metrics.throttles(TEAMS)


async def _look_up(
    client: GraphClient, listing: TenantListing, users: Sequence[tuple[str, str]], pace: LookupPace
) -> None:
    before = _throttled(client)
    answers = await client.batch([_lookup(n, user_id) for n, (_, user_id) in enumerate(users)])
    pace.after(_throttled(client) > before)
    for n, (key, _) in enumerate(users):
        config, failure = _read(answers[f"c{n}"])
        if failure is None:
            listing.answer(key, config)
        else:
            listing.failures[key] = failure
