"""Reading Entra sign-in log entries as statements: SIP Gateway apps only, errors as reasons, and a
filter that asks for what is new since the mark."""

from __future__ import annotations

from datetime import UTC, datetime

from teams_sip import unverified
from teams_sip.adapters.graph.errors import GraphError
from teams_sip.adapters.graph.signin_logs import _reason, signin_filter, statement
from teams_sip.domain.lifecycle.evidence import Said, Source

APP = next(iter(unverified.SIP_GATEWAY_APP_IDS))


def _entry(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"id": "1", "createdDateTime": "2026-03-16T08:15:41.6195833Z",
                               "userPrincipalName": "ana@contoso.example", "appId": APP.upper(),
                               "status": {"errorCode": 0, "failureReason": None, "additionalDetails": None}}
    return base | changes


def test_a_successful_sip_gateway_sign_in_says_signed_in() -> None:
    found = statement(_entry())
    assert found is not None and found.upn == "ana@contoso.example" and found.hardware_id is None
    assert (found.evidence.source, found.evidence.said) == (Source.SIGNIN_LOGS, Said.SIGNED_IN)
    assert found.evidence.at == datetime(2026, 3, 16, 8, 15, 41, 619583, tzinfo=UTC)


def test_a_failed_one_carries_its_code_and_reason() -> None:
    found = statement(_entry(status={"errorCode": 50057, "failureReason": "User account is disabled."}))
    assert found is not None and found.evidence.said == Said.SIGN_IN_FAILED
    assert found.evidence.detail == "50057: User account is disabled."


def test_other_apps_and_unreadable_entries_say_nothing() -> None:
    assert statement(_entry(appId="de8bc8b5-d9f9-48b1-a8ad-b748da725064")) is None
    assert statement(_entry(createdDateTime="yesterday")) is None
    assert statement(_entry(userPrincipalName=None)) is None
    assert statement(_entry(status="broken")) is None  # without a status the entry proves nothing


def test_the_filter_names_every_sip_gateway_app_and_the_start() -> None:
    text = signin_filter(datetime(2026, 3, 16, 8, 0, 5, 900, tzinfo=UTC))
    assert all(f"appId eq '{app}'" in text for app in unverified.SIP_GATEWAY_APP_IDS)
    assert text.endswith(") and createdDateTime ge 2026-03-16T08:00:05Z")


def test_a_tenant_without_premium_is_named_as_such() -> None:
    error = GraphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C ...")
    assert "Entra ID P1 or P2" in _reason(error)
    assert "AuditLog.Read.All" in _reason(GraphError(403, "Authorization_RequestDenied", "Insufficient privileges"))
