"""A synchronous face on GraphClient for callers that are not async (CLI commands, timers).

msgraph-sdk and our $batch sender are asyncio code bound to one event loop. GraphSession runs
that loop on a private thread and hands each call to it, so synchronous code gets the same
client, middleware, concurrency bound and metrics without juggling event loops itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.graph.batch import BatchRequest, BatchResponse
from teams_sip.adapters.graph.client import GraphClient
from teams_sip.adapters.http import RequestMetrics
from teams_sip.config import Settings

_T = TypeVar("_T")


class GraphSession:
    """Use as a context manager; every method blocks until Graph has answered."""

    def __init__(self, settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="graph-session", daemon=True)
        self._thread.start()
        self.client: GraphClient = self._run(self._make(settings, tokens, metrics))

    @staticmethod
    async def _make(settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None) -> GraphClient:
        return GraphClient(settings, tokens, metrics)

    @property
    def metrics(self) -> RequestMetrics:
        return self.client.metrics

    def __enter__(self) -> GraphSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self.client.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def get_json(self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False) -> dict[str, Any]:
        return self._run(self.client.get_json(path, params, beta=beta))

    def post_json(
        self, path: str, body: Mapping[str, Any], *, beta: bool = False, idempotent: bool = False
    ) -> dict[str, Any] | None:
        return self._run(self.client.post_json(path, body, beta=beta, idempotent=idempotent))

    def iter_pages(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False
    ) -> Iterator[list[dict[str, Any]]]:
        pages = self.client.iter_pages(path, params, beta=beta)
        try:
            while True:
                try:
                    yield self._run(pages.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            self._run(pages.aclose())

    def iter_items(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False
    ) -> Iterator[dict[str, Any]]:
        for page in self.iter_pages(path, params, beta=beta):
            yield from page

    def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]:
        return self._run(self.client.batch(requests))

    def policy_id(self, policy_type: str, name: str) -> str | None:
        return self._run(self.client.policy_id(policy_type, name))

    def run(self, work: Awaitable[_T]) -> _T:
        """Run any coroutine on the session's loop (e.g. an msgraph-sdk call on `client.sdk`)."""
        return self._run(work)

    def _run(self, work: Awaitable[_T]) -> _T:
        async def wrapper() -> _T:
            return await work

        return asyncio.run_coroutine_threadsafe(wrapper(), self._loop).result()
