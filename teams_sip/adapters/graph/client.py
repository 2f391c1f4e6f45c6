"""The Graph client: one httpx client with GraphClientFactory's middleware, shared by the
msgraph-sdk GraphServiceClient and by our small typed helpers (get_json, iter_pages,
post_json, batch).

Middleware order, outside in: kiota's redirect / retry (429, 503, 504 after Retry-After, delays
from our RetryPolicy) / parameter and header handlers / Graph telemetry; then our transport,
which counts every request on the wire and resends after connection resets and timeouts (the
kiota retry handler does not). msgraph-sdk loads ~1,300 modules, so it is imported only here,
inside functions, never when the CLI starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from teams_sip.adapters.auth import KiotaTokenProvider, TokenProvider
from teams_sip.adapters.graph.batch import BatchRequest, BatchResponse, send_batch
from teams_sip.adapters.graph.errors import GraphError, GraphUnavailableError, error_from
from teams_sip.adapters.http import (
    IDEMPOTENT,
    AsyncRetryingTransport,
    RequestMetrics,
    RetryPolicy,
    resend_after_status,
    ssl_context,
    timeout,
)
from teams_sip.adapters.throttle import Draw, graph_draws, graph_pricing, service_of, split_url
from teams_sip.config import Settings
from teams_sip.throttling_limits import OUTLOOK, graph_service, mailbox_of

BULK_SHARE = 0.9
"""`$batch` envelopes take at most this share of each service bucket (teams_sip/adapters/throttle.py):
the rest stays for page chains, which are sent at once
because a throttled page stalls its whole chain for the Retry-After (a second or more), while a bulk
read waiting 50 ms costs nothing."""


class GraphClient:
    """Async Graph access for one event loop. Close it with `aclose()` (or `async with`)."""

    def __init__(self, settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics or RequestMetrics()
        self.policy = RetryPolicy.from_settings(settings.http)
        self._tokens = tokens
        self._hosts = {urlsplit(u).netloc.lower() for u in (settings.graph_base_url, settings.graph_beta_base_url)}
        self._wire = AsyncRetryingTransport(
            httpx.AsyncHTTPTransport(
                verify=ssl_context(settings.ca_bundle),
                limits=httpx.Limits(max_connections=max(10, settings.http.max_concurrency * 2)),
            ),
            self.policy,
            self.metrics,
            retry_statuses=False,
            pricing=graph_pricing(settings.http, (settings.graph_base_url, settings.graph_beta_base_url)),
        )
        self._http = build_http_client(settings, self.policy, self._wire)
        from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY

        self._options_key: str = REQUEST_OPTIONS_KEY
        self._limit: asyncio.Semaphore | None = None
        self._mailboxes: dict[str, asyncio.Semaphore] = {}
        self._sdk: Any = None

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._wire.aclose()  # msgraph-core's transport does not pass aclose() down

    @property
    def http(self) -> httpx.AsyncClient:
        """The middleware-equipped httpx client (for SDK-level work-arounds)."""
        return self._http

    @property
    def sdk(self) -> Any:
        """msgraph-sdk's GraphServiceClient on our httpx client, base URL from configuration."""
        if self._sdk is None:
            from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
            from msgraph import GraphRequestAdapter, GraphServiceClient

            beta_host = (urlsplit(self.settings.graph_beta_base_url).hostname or "").lower()
            hosts = sorted({self.settings.graph_host, beta_host})
            provider = KiotaTokenProvider(self._tokens, self.settings.graph_scope, hosts)
            auth = BaseBearerTokenAuthenticationProvider(provider)
            adapter = GraphRequestAdapter(auth, client=self._http)
            adapter.base_url = self.settings.graph_base_url
            self._sdk = GraphServiceClient(request_adapter=adapter)
        return self._sdk

    def url(self, path: str, *, beta: bool = False) -> str:
        """An absolute URL for a path relative to the API version root (or an absolute URL as is)."""
        if "://" in path:
            return path
        base = self.settings.graph_beta_base_url if beta else self.settings.graph_base_url
        return f"{base}/{path.lstrip('/')}"

    async def get_json(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.send("GET", self.url(path, beta=beta), params=params, headers=headers)
        return _json_object(response)

    async def post_json(
        self, path: str, body: Mapping[str, Any], *, beta: bool = False, idempotent: bool = False
    ) -> dict[str, Any] | None:
        """POST and answer the JSON body (None for 204). `idempotent` allows a resend after a lost answer."""
        response = await self.send("POST", self.url(path, beta=beta), json=body, idempotent=idempotent)
        return None if response.status_code == 204 or not response.content else _json_object(response)

    async def iter_pages(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncGenerator[list[dict[str, Any]], None]:
        """Every page of a collection; `headers` (e.g. a Prefer) go with every page's request."""
        from teams_sip.adapters.graph.paging import iter_pages

        async for page in iter_pages(self, path, params, beta=beta, headers=headers):
            yield page

    async def iter_items(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False
    ) -> AsyncGenerator[dict[str, Any], None]:
        async for page in self.iter_pages(path, params, beta=beta):
            for item in page:
                yield item

    def draws(self, method: str, url: str) -> list[Draw]:
        """The throttle buckets one Graph request (relative to the version root) draws on."""
        parts = urlsplit("/" + url.lstrip("/"))
        return graph_draws(self.settings.http, method, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))

    async def within_budget(self, requests: Sequence[BatchRequest]) -> None:
        """Waits until every service bucket these (inner) requests draw on has room for them with
        (1 - BULK_SHARE) of it left for pages, and counts them as sent. Buckets are per service, so
        users reads never wait for a Teams bucket, nor the other way round."""
        draws = [d for r in requests for d in self.draws(r.method, r.url)]
        while (wait := self.metrics.budgets.reserve(draws, keep_share=1 - BULK_SHARE)) > 0:
            await asyncio.sleep(wait)

    def throttled_inner(self, request: BatchRequest, retry_after: float | None) -> None:
        """An inner 429: only its own service's buckets wait out its Retry-After."""
        draws = self.draws(request.method, request.url)
        self.metrics.budgets.block(draws, 1.0 if retry_after is None else retry_after)
        self.metrics.record_throttle(service_of(draws))

    async def batch(
        self, requests: Sequence[BatchRequest], *, max_in_flight: int | None = None
    ) -> dict[str, BatchResponse]:
        """Send through our own $batch sender (20 per batch, inner retries); answers by request id."""
        return await send_batch(self, requests, max_in_flight)

    async def policy_id(self, policy_type: str, name: str) -> str | None:
        from teams_sip.adapters.graph.workarounds import get_policy_id

        return await get_policy_id(self, policy_type, name)

    async def send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool = False,
        raise_for_status: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One logical request: bearer token, concurrency bound, retries by the middleware and
        transport, one token refresh after a 401; error statuses raised as GraphError."""
        host = urlsplit(url).netloc.lower()
        if host not in self._hosts:
            raise GraphError(0, "untrustedHost", f"refusing to send the Graph token to {host}", method=method)
        scope = self.settings.graph_scope
        # msgraph-core's transport runs the middleware only for requests carrying kiota options.
        extensions = {self._options_key: {}, IDEMPOTENT: idempotent}
        response: httpx.Response | None = None
        for attempt in (1, 2):
            token = await asyncio.to_thread(self._tokens.token, scope)
            sent = {**(headers or {}), "Authorization": f"Bearer {token.reveal()}", "Accept": "application/json"}
            async with self._bound(), self._mailbox(url):
                try:
                    response = await self._http.request(
                        method, url, json=json, params=params, headers=sent, extensions=dict(extensions)
                    )
                except httpx.TransportError as exc:
                    raise GraphUnavailableError(
                        f"Microsoft Graph at {host} could not be reached after retries ({type(exc).__name__}); "
                        "check the network, GRAPH_BASE_URL and CA_BUNDLE."
                    ) from None
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate(scope, token)
                continue
            break
        assert response is not None
        if raise_for_status and response.status_code >= 400:
            raise error_from(response.status_code, _maybe_json(response), method=method, url=url)
        return response

    def _mailbox(self, url: str) -> contextlib.AbstractAsyncContextManager[Any]:
        """At most GRAPH_MAIL_CONCURRENCY_PER_MAILBOX requests in flight to one mailbox (Outlook's limit)."""
        where = split_url(url, (self.settings.graph_base_url, self.settings.graph_beta_base_url))
        if where is None or graph_service(where[0]) != OUTLOOK:
            return contextlib.nullcontext()
        box = mailbox_of(where[0])
        if box not in self._mailboxes:
            self._mailboxes[box] = asyncio.Semaphore(self.settings.http.mail_concurrency_per_mailbox)
        return self._mailboxes[box]

    def _bound(self) -> asyncio.Semaphore:
        if self._limit is None:
            self._limit = asyncio.Semaphore(self.settings.http.max_concurrency)
        return self._limit


def build_http_client(settings: Settings, policy: RetryPolicy, wire: httpx.AsyncBaseTransport) -> httpx.AsyncClient:
    """httpx.AsyncClient over `wire` (our counting, resending transport that trusts CA_BUNDLE),
    wrapped by GraphClientFactory with the default middleware, whose retry handler takes its
    delays from our policy."""
    from kiota_http.kiota_client_factory import KiotaClientFactory
    from kiota_http.middleware import RetryHandler
    from msgraph_core import GraphClientFactory
    from msgraph_core.middleware import GraphTelemetryHandler

    client = httpx.AsyncClient(
        transport=wire,
        verify=ssl_context(settings.ca_bundle),
        timeout=timeout(settings.http),
        base_url=settings.graph_base_url,
    )
    middleware = [
        _policy_retry_handler(RetryHandler, policy) if isinstance(handler, RetryHandler) else handler
        for handler in KiotaClientFactory.get_default_middleware(None)
    ]
    middleware.append(GraphTelemetryHandler())
    result: httpx.AsyncClient = GraphClientFactory.create_with_custom_middleware(middleware, client=client)
    return result


def _policy_retry_handler(base: Any, policy: RetryPolicy) -> Any:
    """kiota's RetryHandler with its public hooks answered by our rules: delays from our policy, and
    what may be resent from `resend_after_status` (kiota by itself resends every POST, writes too)."""
    from kiota_http.middleware.options import RetryHandlerOption

    class PolicyRetryHandler(base):  # type: ignore[misc]
        def get_delay_time(self, retry_count: int, response: httpx.Response | None = None, delay: float = 0) -> float:
            wait = policy.delay(retry_count + 1, response.headers.get("Retry-After") if response is not None else None)
            return RetryHandlerOption.MAX_DELAY if wait is None else wait

        def should_retry(self, request: httpx.Request, options: Any, response: httpx.Response) -> bool:
            return bool(options.max_retry > 0) and resend_after_status(request, response.status_code)

    return PolicyRetryHandler(RetryHandlerOption(delay=0, max_retries=min(policy.max_retries, 10)))


def _maybe_json(response: httpx.Response) -> Any:
    with contextlib.suppress(ValueError):
        return response.json()
    return None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    body = _maybe_json(response)
    if not isinstance(body, dict):
        raise GraphError(
            response.status_code, "unexpectedBody", "expected a JSON object", method=response.request.method,
            path=str(response.request.url.path),
        )
    return body
