"""Our own JSON `$batch` sender (msgraph-sdk's drops response bodies and request ids).

Graph takes at most 20 requests per batch and throttles each inner request on its own: the
outer answer is 200 while some inner answers are 429 (or 503/504) with their own Retry-After.
So requests are split into 20s, the chunks are sent concurrently (bounded by the client's
semaphore), and every inner request that was throttled or shed is sent again after its own
Retry-After, counted from the answer that carried it: a request asked to wait 30 s never holds
back one asked to wait 1 s. Answers are matched by id, never by position: Graph may return them
in any order. An envelope of GETs is marked idempotent, so the client stack resends it whole
after a 503/504; one with writes is not resent (its inner requests may have been applied).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from teams_sip.adapters.graph.errors import GraphError, error_from
from teams_sip.adapters.http import RETRY_STATUSES, parse_retry_after

if TYPE_CHECKING:
    from teams_sip.adapters.graph.client import GraphClient

MAX_PER_BATCH = 20
_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


@dataclass(frozen=True)
class BatchRequest:
    id: str
    url: str  # relative to the API version root, e.g. "/users/{id}/licenseDetails"
    method: str = "GET"
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"id": self.id, "method": self.method.upper(), "url": "/" + self.url.lstrip("/")}
        headers = dict(self.headers)
        if self.body is not None:
            item["body"] = dict(self.body)
            headers.setdefault("Content-Type", "application/json")
        if headers:
            item["headers"] = headers
        return item


@dataclass(frozen=True)
class BatchResponse:
    id: str
    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self, method: str = "GET", url: str = "") -> GraphError | None:
        """The inner failure as the same error a direct call would raise (None when ok)."""
        return None if self.ok else error_from(self.status, self.body, method=method, url=url)

    def retry_after(self) -> float | None:
        for key, value in self.headers.items():
            if key.lower() == "retry-after":
                return parse_retry_after(str(value))
        return None


async def send_batch(
    client: GraphClient, requests: Sequence[BatchRequest], max_in_flight: int | None = None
) -> dict[str, BatchResponse]:
    """Every request answered by id. Inner failures come back as responses (check `.ok`); after
    the retry budget, a still-throttled request answers with its last 429. An envelope that fails
    for good (after the client stack's own retries) answers each of its requests with that failure,
    so one bad chunk never loses the answers of the others. `max_in_flight` caps this call's
    envelopes in flight, leaving the rest of the client's concurrency to work running alongside."""
    _validate(requests)
    results: dict[str, BatchResponse] = {}
    sending = _Sending(client, results, asyncio.Semaphore(max_in_flight) if max_in_flight else None)
    await sending.all(list(requests), 1)
    return results


@dataclass
class _Sending:
    client: GraphClient
    results: dict[str, BatchResponse]
    lanes: asyncio.Semaphore | None

    async def all(self, requests: Sequence[BatchRequest], attempt: int) -> None:
        chunks = [requests[i : i + MAX_PER_BATCH] for i in range(0, len(requests), MAX_PER_BATCH)]
        outcomes = await asyncio.gather(*(self.chunk(chunk, attempt) for chunk in chunks), return_exceptions=True)
        for outcome in outcomes:  # gathered to the end first: no chunk is left running unobserved
            if isinstance(outcome, BaseException):
                raise outcome

    async def chunk(self, chunk: Sequence[BatchRequest], attempt: int) -> None:
        """One envelope; its throttled or shed inner requests are sent again after their own
        Retry-After (requests asking the same wait travel together; those without one share one
        back-off)."""
        if self.lanes is None:
            answers, final = await _send_chunk(self.client, chunk)
        else:
            async with self.lanes:
                answers, final = await _send_chunk(self.client, chunk)
        waiting: dict[float | None, list[BatchRequest]] = {}
        for request in chunk:
            response = answers.get(request.id)
            if response is None:  # no answer: a write may have been applied, so only a read is resent
                read = request.method.upper() in _SAFE_METHODS
                response = BatchResponse(request.id, 503 if read else 502, _error("missingResponse"))
            self.results[request.id] = response
            if not final and response.status in RETRY_STATUSES:
                waiting.setdefault(response.retry_after(), []).append(request)
        resends = []
        for asked, group in waiting.items():
            wait = self.client.policy.delay(attempt, None if asked is None else str(asked))
            if wait is not None:
                resends.append(self.later(wait, group, attempt + 1))
        await asyncio.gather(*resends)

    async def later(self, wait: float, group: Sequence[BatchRequest], attempt: int) -> None:
        self.client.metrics.record_retry()
        await asyncio.sleep(wait)
        await self.all(group, attempt)


async def _send_chunk(client: GraphClient, chunk: Sequence[BatchRequest]) -> tuple[dict[str, BatchResponse], bool]:
    """The inner answers by id, and whether they are final (the envelope itself failed for good)."""
    idempotent = all(r.method.upper() in _SAFE_METHODS for r in chunk)
    await client.within_budget(chunk)
    try:
        response = await client.send(
            "POST", client.url("$batch"), json={"requests": [r.as_json() for r in chunk]}, idempotent=idempotent
        )
    except GraphError as exc:
        failed = {"error": {"code": exc.code, "message": exc.graph_message}}
        return {r.id: BatchResponse(r.id, exc.status, failed) for r in chunk}, True
    try:
        body = response.json()
    except ValueError:
        body = None
    items = body.get("responses") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise GraphError(response.status_code, "unexpectedBody", "a $batch answer without 'responses'", path="/$batch")
    out: dict[str, BatchResponse] = {}
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            continue
        status = int(item.get("status", 0))
        headers = item.get("headers")
        out[str(item["id"])] = BatchResponse(
            str(item["id"]), status, item.get("body"), {str(k): str(v) for k, v in (headers or {}).items()}
        )
        client.metrics.record_inner(status)
    for request in chunk:  # a 429 slows only the service that sent it
        answer = out.get(request.id)
        if answer is not None and answer.status == 429:
            client.throttled_inner(request, answer.retry_after())
    return out, False


def _validate(requests: Sequence[BatchRequest]) -> None:
    seen: set[str] = set()
    for request in requests:
        if not request.id or request.id in seen:
            raise ValueError(f"$batch request ids must be unique and non-empty (got {request.id!r})")
        if "://" in request.url:
            raise ValueError("$batch request urls are relative to the API version root")
        seen.add(request.id)


def _error(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": "Graph gave no answer for this request"}}
