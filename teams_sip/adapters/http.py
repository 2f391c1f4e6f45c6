"""One retry policy for every outbound HTTP client (Graph, provisioning, policy settings).

Microsoft services throttle with 429 + Retry-After and shed load with 503/504; networks drop
connections and stall. The rules here decide, in one place, what is retried and how long to
wait, and count what happened so runs can report requests made and throttling seen.
A request that may already have been processed (the answer was lost after sending, or a 503/504
came back) is only resent when it is idempotent: GET/PUT/DELETE/HEAD, or marked with `IDEMPOTENT`
in extensions. A 429 is always resent after its Retry-After: throttled work was never started.
"""

from __future__ import annotations

import asyncio
import random
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from teams_sip.adapters.throttle import Draw, ServiceBudgets, service_of
from teams_sip.config import HttpSettings

Pricing = Callable[[httpx.Request], tuple[list[Draw], bool]]
"""The buckets a request draws on, and whether it waits for them (paced) or is only counted (a page)."""

RETRY_STATUSES = frozenset({429, 503, 504})
IDEMPOTENT = "teams_sip.idempotent"
"""Request extension key: set True on a POST that is safe to resend (e.g. a register that answers `exists`)."""
_SAFE_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    base_delay: float = 0.5
    max_delay: float = 60.0

    @classmethod
    def from_settings(cls, http: HttpSettings) -> RetryPolicy:
        return cls(http.max_retries, http.retry_base_delay_seconds, http.retry_max_delay_seconds)

    def delay(self, retry_number: int, retry_after: str | None) -> float | None:
        """Seconds to wait before retry `retry_number` (1-based), or None to give up.

        A server's Retry-After is obeyed exactly (waiting less only earns another 429); when it
        asks for longer than max_delay the caller gets the error rather than a silent long stall.
        """
        if retry_number > self.max_retries:
            return None
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return asked if asked <= self.max_delay else None
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (retry_number - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class RequestMetrics:
    """Counts of what actually went over the wire, shared by the clients of one run."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    transport_errors: int = 0
    batch_inner_requests: int = 0
    inner_throttled: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    throttled_by: Counter[str] = field(default_factory=Counter)  # 429s (outer and inner) by service
    budgets: ServiceBudgets = field(default_factory=ServiceBudgets, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_throttle(self, service: str) -> None:
        with self._lock:
            self.throttled_by[service] += 1

    def throttles(self, service: str) -> int:
        with self._lock:
            return self.throttled_by[service]

    def record_response(self, status: int) -> None:
        with self._lock:
            self.requests += 1
            self.statuses[status] += 1
            if status == 429:
                self.throttled += 1

    def record_transport_error(self) -> None:
        with self._lock:
            self.requests += 1
            self.transport_errors += 1

    def record_retry(self) -> None:
        with self._lock:
            self.retries += 1

    def record_inner(self, status: int) -> None:
        with self._lock:
            self.batch_inner_requests += 1
            if status == 429:
                self.inner_throttled += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "throttled": self.throttled,
                "retries": self.retries,
                "transport_errors": self.transport_errors,
                "batch_inner_requests": self.batch_inner_requests,
                "inner_throttled": self.inner_throttled,
            }


def is_idempotent(request: httpx.Request) -> bool:
    """Safe to send twice: an idempotent method, or marked so by the caller (e.g. a `$batch` of GETs)."""
    return request.method.upper() in _SAFE_METHODS or bool(request.extensions.get(IDEMPOTENT))


def resend_after_status(request: httpx.Request, status: int) -> bool:
    """429 means Graph refused the request unprocessed, so anything is resent; a 503/504 can come
    after the work was done (a gateway timing out), so only an idempotent request is resent."""
    if status == 429:
        return True
    return status in RETRY_STATUSES and is_idempotent(request)


def _resendable(request: httpx.Request, error: httpx.TransportError) -> bool:
    """A connect failure never reached the server; anything later only for idempotent requests."""
    if not isinstance(error, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
        return False
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return is_idempotent(request)


class _RetryRules:
    """The decisions both transports share; each returns the wait before the next attempt, or None
    when the caller should give up (re-raise the error, or hand the answer back as it is)."""

    def __init__(self, policy: RetryPolicy, metrics: RequestMetrics, *, retry_statuses: bool = True,
                 pricing: Pricing | None = None) -> None:
        self._policy = policy
        self._metrics = metrics
        self._retry_statuses = retry_statuses
        self._pricing = pricing

    def _draws(self, request: httpx.Request) -> tuple[list[Draw], bool]:
        return self._pricing(request) if self._pricing is not None else ([], False)

    def _wait_for_budget(self, draws: list[Draw], paced: bool) -> float:
        """Seconds a paced request must still wait for its buckets (0: taken); a page is counted at once."""
        if not draws:
            return 0.0
        if paced:
            return self._metrics.budgets.reserve(draws)
        self._metrics.budgets.spend(draws)
        return 0.0

    def _note_throttle(self, draws: list[Draw], response: httpx.Response) -> None:
        """A 429 blocks the buckets of the service that sent it for its Retry-After; no others."""
        if response.status_code == 429 and draws:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            self._metrics.budgets.block(draws, 1.0 if wait is None else wait)
            self._metrics.record_throttle(service_of(draws))

    def _wait_after_error(self, request: httpx.Request, error: httpx.TransportError, retry: int) -> float | None:
        self._metrics.record_transport_error()
        return self._policy.delay(retry, None) if _resendable(request, error) else None

    def _wait_after_answer(self, request: httpx.Request, response: httpx.Response, retry: int) -> float | None:
        self._metrics.record_response(response.status_code)
        self._note_throttle(self._draws(request)[0], response)
        if not (self._retry_statuses and resend_after_status(request, response.status_code)):
            return None
        return self._policy.delay(retry, response.headers.get("Retry-After"))


class RetryingTransport(_RetryRules, httpx.BaseTransport):
    """Synchronous transport: counts every attempt, retries transport errors and (optionally)
    throttled/unavailable answers according to the policy."""

    def __init__(
        self, inner: httpx.BaseTransport, policy: RetryPolicy, metrics: RequestMetrics, *, retry_statuses: bool = True,
        pricing: Pricing | None = None,
    ) -> None:
        super().__init__(policy, metrics, retry_statuses=retry_statuses, pricing=pricing)
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        retry = 0
        draws, paced = self._draws(request)
        while True:
            retry += 1
            while (budget_wait := self._wait_for_budget(draws, paced)) > 0:
                time.sleep(budget_wait)
            try:
                response = self._inner.handle_request(request)
                response.read()  # a connection can drop mid-body: read here, where it can be retried
            except httpx.TransportError as error:
                if (wait := self._wait_after_error(request, error, retry)) is None:
                    raise
            else:
                if (wait := self._wait_after_answer(request, response, retry)) is None:
                    return response
                response.close()
            self._metrics.record_retry()
            time.sleep(wait)

    def close(self) -> None:
        self._inner.close()


class AsyncRetryingTransport(_RetryRules, httpx.AsyncBaseTransport):
    """The asyncio twin of RetryingTransport (msgraph-sdk and our $batch sender are async)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        policy: RetryPolicy,
        metrics: RequestMetrics,
        *,
        retry_statuses: bool = True,
        pricing: Pricing | None = None,
    ) -> None:
        super().__init__(policy, metrics, retry_statuses=retry_statuses, pricing=pricing)
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        retry = 0
        draws, paced = self._draws(request)
        while True:
            retry += 1
            while (budget_wait := self._wait_for_budget(draws, paced)) > 0:
                await asyncio.sleep(budget_wait)
            try:
                response = await self._inner.handle_async_request(request)
                await response.aread()  # a connection can drop mid-body: read here, where it can be retried
            except httpx.TransportError as error:
                if (wait := self._wait_after_error(request, error, retry)) is None:
                    raise
            else:
                if (wait := self._wait_after_answer(request, response, retry)) is None:
                    return response
                await response.aclose()
            self._metrics.record_retry()
            await asyncio.sleep(wait)

    async def aclose(self) -> None:
        await self._inner.aclose()


def ssl_context(ca_bundle: Path | None) -> ssl.SSLContext:
    """System trust by default; with CA_BUNDLE, trust exactly that bundle (a private CA or a proxy)."""
    if ca_bundle is None:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=str(ca_bundle))


def timeout(http: HttpSettings) -> httpx.Timeout:
    return httpx.Timeout(http.timeout_seconds, connect=min(10.0, http.timeout_seconds))
