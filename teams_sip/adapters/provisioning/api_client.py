"""The provisioning API client over httpx, with the shared retry rules. It speaks our own contract
(docs/provisioning-api.md), to the simulator or a gateway that implements it: Microsoft documents no
endpoint for registering devices or issuing codes.

Every input is validated before the first request, so a bad hardware id never leaves half a
batch registered. Batches above the contract's 500 are split (a rollout's registrations go out
HTTP_MAX_CONCURRENCY calls at a time); register is idempotent and a resent issueCodes only replaces
a code nobody has seen, so both may be resent after a lost answer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx

from teams_sip import unverified
from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.http import RequestMetrics
from teams_sip.adapters.service_client import ServiceApiClient
from teams_sip.config import Settings
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError, InputError
from teams_sip.service.ports.provisioning import (
    DEVICE_STATES,
    DeviceAlreadyActivatedError,
    DeviceRegistration,
    DeviceState,
    IssuedCode,
    ProvisionedDevice,
    ProvisioningError,
    RegisterResult,
    hardware_id,
)

MAX_PER_CALL = 500
PAGE_SIZE = 100


class ProvisioningApiClient(ServiceApiClient):
    """Implements ProvisioningPort. Close with `close()` or use as a context manager."""

    service = "provisioning"

    default_endpoints = unverified.CONTRACT_ENDPOINTS

    def unreachable(self, exc: httpx.TransportError) -> ProvisioningError:
        return ProvisioningError(
            f"The provisioning service could not be reached after retries ({type(exc).__name__}); "
            "check PROVISIONING_BASE_URL, the network and CA_BUNDLE."
        )

    def register(self, devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        clean = [DeviceRegistration(hardware_id(d.hardware_id), d.location.strip()) for d in devices]
        for device in clean:
            if not device.location:
                raise InputError(f"Device {device.hardware_id} has no location; TAC needs one for every device.")
        bodies = [{"devices": [{"hardwareId": d.hardware_id, "location": d.location} for d in chunk]}
                  for chunk in _chunks(clean)]
        with ThreadPoolExecutor(max_workers=max(1, min(self.at_once, len(bodies)))) as pool:
            answers = list(pool.map(lambda body: self._call("register", json=body), bodies))
        results: list[RegisterResult] = []
        for answer in answers:
            for item in _list(answer, "results"):
                status = str(item.get("status", "failed"))
                error = item.get("error")
                results.append(
                    RegisterResult(
                        str(item.get("hardwareId", "")),
                        status if status in ("created", "exists") else "failed",  # type: ignore[arg-type]
                        _error_text(error) if error else None,
                    )
                )
        return results

    def issue_codes(self, hardware_ids: Sequence[str]) -> list[IssuedCode]:
        clean = [hardware_id(h) for h in hardware_ids]
        issued: list[IssuedCode] = []
        for chunk in _chunks(clean):
            answer = self._call("issueCodes", json={"hardwareIds": chunk})
            for item in _list(answer, "results"):
                hid = str(item.get("hardwareId", ""))
                error = item.get("error")
                if isinstance(error, dict) or not item.get("code"):
                    err = error if isinstance(error, dict) else {}
                    code, message = str(err.get("code", "noCode")), str(err.get("message", ""))
                    issued.append(IssuedCode(hid, error_code=code, error_message=message))
                else:
                    issued.append(IssuedCode(hid, Secret(str(item["code"])), _when(item.get("expiresAt"))))
        return issued

    def list_devices(self, state: DeviceState | None = None) -> list[ProvisionedDevice]:
        if state is not None and state not in DEVICE_STATES:
            raise InputError(f"Unknown device state {state!r}; expected one of {', '.join(DEVICE_STATES)}.")
        devices: list[ProvisionedDevice] = []
        seen: set[str] = set()
        params: dict[str, str] = {"pageSize": str(PAGE_SIZE)}
        if state:
            params["state"] = state
        while True:
            answer = self._call("list", params=params)
            devices.extend(_device(item) for item in _list(answer, "devices"))
            token = answer.get("continuationToken")
            if not isinstance(token, str) or not token:
                return devices
            if token in seen:
                raise ProvisioningError("The provisioning service repeated a continuation token; stopped listing.")
            seen.add(token)
            params["continuationToken"] = token

    def get(self, hardware_id_: str) -> ProvisionedDevice | None:
        hid = hardware_id(hardware_id_)
        answer = self._call("get", hardware_id=hid, missing_ok=True)
        return None if answer is None else _device(answer)

    def remove(self, hardware_id_: str) -> bool:
        hid = hardware_id(hardware_id_)
        answer = self._call("remove", hardware_id=hid, missing_ok=True)
        return answer is not None

    def _call(
        self,
        operation: str,
        *,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        hardware_id: str = "",
        missing_ok: bool = False,
    ) -> Any:
        response = self.request(operation, path={"hardwareId": hardware_id}, json=json, params=params)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise _error(operation, hardware_id, response)
        if response.status_code == 204 or not response.content:
            return {}
        with contextlib.suppress(ValueError):
            body = response.json()
            if isinstance(body, dict):
                return body
        raise ProvisioningError(f"The provisioning service answered {operation} with something other than JSON.")


def build_provisioning_client(
    settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None
) -> ProvisioningApiClient:
    """The client for PROVISIONING_MODE=api, with tokens for PROVISIONING_SCOPE (the gateway's) or else the
    contract's default scope (the simulator's)."""
    if settings.provisioning_base_url is None:
        raise ConfigError("PROVISIONING_BASE_URL is required when PROVISIONING_MODE is api.")
    scope = settings.provisioning_scope or unverified.PROVISIONING_SCOPE
    return ProvisioningApiClient.for_scope(settings.provisioning_base_url, tokens, scope, settings=settings,
                                           metrics=metrics)


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    if not items:
        return []
    return [items[i : i + MAX_PER_CALL] for i in range(0, len(items), MAX_PER_CALL)]


def _list(answer: Any, key: str) -> list[dict[str, Any]]:
    items = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise ProvisioningError(f"The provisioning service answered without a '{key}' list.")
    return [item for item in items if isinstance(item, dict)]


def _device(item: Mapping[str, Any]) -> ProvisionedDevice:
    state = str(item.get("state", ""))
    registered = _when(item.get("registeredAt"))
    if state not in DEVICE_STATES or registered is None:
        raise ProvisioningError(f"The provisioning service sent an unreadable device ({item.get('hardwareId')!r}).")
    return ProvisionedDevice(
        hardware_id=str(item.get("hardwareId", "")),
        location=str(item.get("location") or ""),
        state=state,
        registered_at=registered,
        signed_in_user=item.get("signedInUser") or None,
        last_seen=_when(item.get("lastSeen")),
        code_expires_at=_when(item.get("codeExpiresAt")),
    )


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ProvisioningError(f"The provisioning service sent an unreadable time {value!r}.") from None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        return f"{error.get('code', 'error')}: {error.get('message', '')}".strip()
    return str(error)


def _error(operation: str, hid: str, response: httpx.Response) -> ProvisioningError:
    body: Any = None
    with contextlib.suppress(ValueError):
        body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code", "unknown")) if isinstance(error, dict) else "unknown"
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    status = response.status_code
    subject = f" for {hid}" if hid else ""
    if status == 409 and code == "alreadyActivated":
        return DeviceAlreadyActivatedError(
            f"Device {hid} has already activated; Teams removes activated devices itself.", status=status, code=code
        )
    if status == 403:
        return ProvisioningError(
            f"The provisioning service at PROVISIONING_BASE_URL refused {operation}{subject} (403 {code}): the "
            "app's token (PROVISIONING_SCOPE) lacks the permission that service requires; see that service's "
            f"own documentation (Microsoft documents no such API). {message}".strip(),
            status=status,
            code=code,
        )
    hint = " (still throttled after retries; try again later)" if status == 429 else ""
    return ProvisioningError(
        f"The provisioning service answered {operation}{subject} with {status} {code}{hint}: {message}".strip(),
        status=status,
        code=code,
    )
