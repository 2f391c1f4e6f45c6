"""Our own JSON `$batch` sender (msgraph-sdk's drops response bodies and request ids).

Graph takes at most 20 requests per batch and throttles each inner request on its own: the
outer answer is 200 while some inner answers are 429 (or 503/504) with their own Retry-After.
So requests are split into 20s, the chunks are sent concurrently (bounded by the client's
semaphore), and every inner request that was throttled or shed is sent again in a later round,
no earlier than the longest Retry-After its round received. Answers are matched by id, never
by position: Graph may return them in any order.
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


async def send_batch(client: GraphClient, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
    """Every request answered by id. Inner failures come back as responses (check `.ok`);
    after the retry budget, a still-throttled request answers with its last 429."""
    _validate(requests)
    pending = list(requests)
    results: dict[str, BatchResponse] = {}
    round_number = 0
    while pending:
        chunks = [pending[i : i + MAX_PER_BATCH] for i in range(0, len(pending), MAX_PER_BATCH)]
        answers = await asyncio.gather(*(_send_chunk(client, chunk) for chunk in chunks))
        retry: list[BatchRequest] = []
        longest: float | None = None
        for chunk, answer in zip(chunks, answers, strict=True):
            for request in chunk:
                response = answer.get(request.id)
                if response is None:
                    response = BatchResponse(request.id, 503, {"error": {"code": "missingResponse", "message": ""}})
                if response.status in RETRY_STATUSES:
                    retry.append(request)
                    asked = response.retry_after()
                    if asked is not None:
                        longest = asked if longest is None else max(longest, asked)
                results[request.id] = response
        if not retry:
            break
        round_number += 1
        wait = client.policy.delay(round_number, None if longest is None else str(longest))
        if wait is None:
            break
        client.metrics.record_retry()
        await asyncio.sleep(wait)
        pending = retry
    return results


async def _send_chunk(client: GraphClient, chunk: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
    idempotent = all(r.method.upper() in _SAFE_METHODS for r in chunk)
    response = await client.send(
        "POST", client.url("$batch"), json={"requests": [r.as_json() for r in chunk]}, idempotent=idempotent
    )
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
    return out


def _validate(requests: Sequence[BatchRequest]) -> None:
    seen: set[str] = set()
    for request in requests:
        if not request.id or request.id in seen:
            raise ValueError(f"$batch request ids must be unique and non-empty (got {request.id!r})")
        if "://" in request.url:
            raise ValueError("$batch request urls are relative to the API version root")
        seen.add(request.id)
