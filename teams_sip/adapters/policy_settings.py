"""Calling-policy settings through the Teams admin API behind Teams PowerShell (unverified).

No Graph API returns AllowSIPDevicesCalling (docs/microsoft.md "Calling policies"). The Teams PowerShell
module reads it from an undocumented admin API; host, path, token audience and field names are
all in teams_sip.unverified, so a correction after a real-tenant test touches only that module.
Any failure is reported as a TeamsSipError: the service then falls back to the admin's catalogue.
"""

from __future__ import annotations

from typing import Any

import httpx

from teams_sip.adapters.auth import TokenProvider
from teams_sip.adapters.http import RequestMetrics, RetryingTransport, RetryPolicy, ssl_context, timeout
from teams_sip.adapters.throttle import POLICY_ADMIN, service_pricing
from teams_sip.config import Settings
from teams_sip.domain.eligibility import CallingPolicySettings
from teams_sip.errors import TeamsSipError
from teams_sip.unverified import (
    POLICY_ADMIN_BASE_URL,
    POLICY_ADMIN_PATH,
    POLICY_ADMIN_SCOPE,
    POLICY_FIELD_ALLOW_CALL_REDIRECT,
    POLICY_FIELD_ALLOW_SIP_DEVICES,
    POLICY_FIELD_IDENTITY,
)


class PolicySettingsError(TeamsSipError):
    """The Teams admin API did not answer usable policy settings."""


def parse_policies(body: Any) -> list[CallingPolicySettings]:
    """The answer is a JSON array; tolerate a {"value": [...]} wrapper and skip malformed entries."""
    items = body.get("value") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise PolicySettingsError("the Teams admin API answered something other than a list of policies")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get(POLICY_FIELD_IDENTITY), str):
            continue
        sip = item.get(POLICY_FIELD_ALLOW_SIP_DEVICES)
        redirect = item.get(POLICY_FIELD_ALLOW_CALL_REDIRECT)
        out.append(
            CallingPolicySettings(
                name=item[POLICY_FIELD_IDENTITY],
                allow_sip_devices=sip if isinstance(sip, bool) else None,
                allow_call_redirect=redirect if isinstance(redirect, str) else None,
            )
        )
    return out


class TeamsAdminPolicySettings:
    """Implements PolicySettingsSource with one GET, retried by the shared policy."""

    def __init__(self, settings: Settings, tokens: TokenProvider, metrics: RequestMetrics | None = None) -> None:
        self._base = (settings.policy_admin_base_url or POLICY_ADMIN_BASE_URL).rstrip("/")
        self._tokens = tokens
        context = ssl_context(settings.ca_bundle)
        transport = RetryingTransport(
            httpx.HTTPTransport(verify=context), RetryPolicy.from_settings(settings.http), metrics or RequestMetrics(),
            pricing=service_pricing(settings.http, POLICY_ADMIN),
        )
        self._http = httpx.Client(transport=transport, verify=context, timeout=timeout(settings.http))

    def close(self) -> None:
        self._http.close()

    def calling_policies(self) -> list[CallingPolicySettings]:
        url = self._base + POLICY_ADMIN_PATH
        try:
            token = self._tokens.token(POLICY_ADMIN_SCOPE)
            response = self._http.get(url, headers={"Authorization": f"Bearer {token.reveal()}"})
        except TeamsSipError as exc:
            raise PolicySettingsError(f"no token for the Teams admin API: {exc}") from None
        except httpx.HTTPError as exc:
            raise PolicySettingsError(
                f"the Teams admin API at {self._base} could not be reached ({type(exc).__name__})"
            ) from None
        if response.status_code in (401, 403):
            raise PolicySettingsError(
                f"the Teams admin API refused the app ({response.status_code}); it needs a token for "
                f"{POLICY_ADMIN_SCOPE} with permission to read Teams policies"
            )
        if response.status_code != 200:
            raise PolicySettingsError(f"the Teams admin API answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise PolicySettingsError("the Teams admin API answered no JSON") from None
        return parse_policies(body)
