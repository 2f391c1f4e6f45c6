"""The bulk sign-in client over httpx: our own contract (unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS), the
shared retry rules (adapters/http.py) and tokens for PROVISIONING_SCOPE (default unverified.BULK_SIGNIN_SCOPE).

A submission carries our batch reference, which the contract makes idempotent, so a submit whose
answer was lost is resent rather than leaving a batch nobody can poll. Inputs are checked before
the first request: a bad batch never leaves the process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import httpx

from teams_sip import unverified
from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.http import RequestMetrics
from teams_sip.adapters.service_client import ServiceApiClient
from teams_sip.config import Settings
from teams_sip.domain.signin.bulk import MAX_DEVICES_PER_BATCH, BulkItem
from teams_sip.domain.signin.errors import meaning_of
from teams_sip.domain.signin.results import ResultItem
from teams_sip.domain.sites import Region
from teams_sip.errors import ConfigError, InputError
from teams_sip.service.ports.bulk_signin import BatchRefusedError, BatchStatus, BulkSignInError
from teams_sip.service.ports.provisioning import hardware_id

_REFUSALS = {400, 409, 422}


class BulkSignInApiClient(ServiceApiClient):
    """Implements BulkSignInPort. Close with `close()` or use as a context manager."""

    service = "bulk sign-in"

    default_endpoints = unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS

    def unreachable(self, exc: httpx.TransportError) -> BulkSignInError:
        return BulkSignInError(
            f"The bulk sign-in service could not be reached after retries ({type(exc).__name__}); "
            "the batch stays in flight and is asked about again on the next pass."
        )

    def submit(self, region: Region, items: Sequence[BulkItem], reference: str) -> str:
        if not items or len(items) > MAX_DEVICES_PER_BATCH:
            raise InputError(f"A bulk sign-in batch holds 1 to {MAX_DEVICES_PER_BATCH} devices, not {len(items)}.")
        clean = [BulkItem(hardware_id(i.hardware_id), i.username.strip()) for i in items]
        if any(not i.username for i in clean) or not reference.strip():
            raise InputError("Every bulk sign-in item needs a username, and the batch a reference.")
        body = {
            "region": Region(region).value,
            "clientReference": reference,
            "items": [{"Username": i.username, "HardwareId": i.dashed} for i in clean],
        }
        answer = self._call("submit", json=body)
        batch_id = answer.get("BatchId") if isinstance(answer, dict) else None
        if not isinstance(batch_id, str) or not batch_id:
            raise BulkSignInError("The bulk sign-in service accepted the batch but sent no BatchId.")
        return batch_id

    def status(self, batch_id: str) -> BatchStatus | None:
        answer = self._call("status", batch_id=batch_id, missing_ok=True)
        if answer is None:
            return None
        state = str(answer.get("BatchStatus", ""))
        raw = answer.get("BatchItem") or []
        if not isinstance(raw, list):
            raise BulkSignInError(f"The bulk sign-in service sent an unreadable status for batch {batch_id}.")
        items = []
        for item in raw:
            if not isinstance(item, dict):
                continue
            status, error = str(item.get("Status") or ""), str(item.get("Error") or "")
            hw: str | None = None
            with contextlib.suppress(InputError):
                hw = hardware_id(str(item.get("HardwareId") or ""))
            username = str(item.get("UserName") or "").lower()
            items.append(ResultItem(username, hw, status, error, meaning_of(status, error)))
        return BatchStatus(batch_id, state.casefold() == "completed", tuple(items))

    def _call(self, operation: str, *, json: Any = None, batch_id: str = "", missing_ok: bool = False) -> Any:
        response = self.request(operation, path={"batchId": batch_id}, json=json)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise _error(operation, response)
        with contextlib.suppress(ValueError):
            body = response.json()
            if isinstance(body, dict):
                return body
        raise BulkSignInError(f"The bulk sign-in service answered {operation} with something other than JSON.")


def build_bulk_signin_client(
    settings: Settings, tokens: TokenProvider, base_url: str | None = None, metrics: RequestMetrics | None = None
) -> BulkSignInApiClient:
    """API mode's client for our bulk sign-in contract, at `base_url` (BULK_SIGNIN_BASE_URL) or else at
    PROVISIONING_BASE_URL, for a service that implements both contracts."""
    base = base_url or settings.provisioning_base_url
    if base is None:
        raise ConfigError("Bulk sign-in in API mode needs BULK_SIGNIN_BASE_URL or PROVISIONING_BASE_URL: a service "
                          "implementing our bulk sign-in contract (Microsoft documents none).")
    scope = settings.provisioning_scope or unverified.BULK_SIGNIN_SCOPE
    return BulkSignInApiClient.for_scope(base, tokens, scope, settings=settings, metrics=metrics)


def _error(operation: str, response: httpx.Response) -> BulkSignInError:
    body: Any = None
    with contextlib.suppress(ValueError):
        body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code", "unknown")) if isinstance(error, dict) else "unknown"
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    status = response.status_code
    if status == 403:
        return BulkSignInError(
            f"The bulk sign-in service refused {operation} (403 {code}): the app's token (PROVISIONING_SCOPE) "
            "lacks the permission that service requires; see that service's own documentation (Microsoft "
            f"documents bulk sign-in only as PowerShell cmdlets). {message}".strip(),
            status=status,
            code=code,
        )
    kind = BatchRefusedError if operation == "submit" and status in _REFUSALS else BulkSignInError
    hint = " (still throttled after retries; try again later)" if status == 429 else ""
    return kind(
        f"The bulk sign-in service answered {operation} with {status} {code}{hint}: {message}".strip(),
        status=status,
        code=code,
    )
