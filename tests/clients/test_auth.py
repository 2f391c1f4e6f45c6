"""Tokens from the simulated Entra endpoint through MSAL (secret and certificate): reused while
valid, refreshed before expiry on the service clock, re-fetched after a 401, never printed."""

import asyncio
from datetime import timedelta

import pytest

from teams_sip.adapters.auth import AuthError, KiotaTokenProvider, build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.domain.clock import SystemClock

from .conftest import sim_settings

SCOPE = "https://graph.microsoft.com/.default"


def test_token_is_acquired_once_and_reused(sim) -> None:
    provider = build_token_provider(sim_settings(sim), sim.clock)
    before = sim.stats()["tokenRequests"]
    first = provider.token(SCOPE)
    second = provider.token(SCOPE)
    assert first == second and first.reveal().count(".") == 2  # a JWT
    assert sim.stats()["tokenRequests"] == before + 1
    assert first.reveal() not in repr(first) and first.reveal() not in f"{first}"


def test_token_is_refreshed_before_expiry_on_the_service_clock(sim) -> None:
    settings = sim_settings(sim)
    provider = build_token_provider(settings, sim.clock)
    first = provider.token(SCOPE)
    sim.clock.advance(timedelta(minutes=58))  # inside the 5-minute margin of a one-hour token
    second = provider.token(SCOPE)
    assert second != first and provider.fetches == 2
    with GraphSession(settings, provider) as graph:
        assert graph.get_json("/users", {"$top": "1"})["value"]


def test_expired_token_rejected_by_the_service_is_fetched_again(sim) -> None:
    """Our clock and the issuer's disagree (wall clock here): the 401 leads to one fresh token."""
    settings = sim_settings(sim)
    provider = build_token_provider(settings, SystemClock())
    with GraphSession(settings, provider) as graph:
        graph.get_json("/users", {"$top": "1"})
        sim.clock.advance(timedelta(hours=2))
        assert graph.get_json("/users", {"$top": "1"})["value"]
        assert graph.metrics.statuses[401] == 1
    assert provider.fetches == 2


def test_certificate_credential(sim) -> None:
    settings = sim_settings(
        sim,
        CLIENT_SECRET="",
        AUTH_MODE="certificate",
        CLIENT_CERTIFICATE_PATH=str(sim.cert_pem_path),
        CLIENT_CERTIFICATE_KEY_PATH=str(sim.key_pem_path),
    )
    provider = build_token_provider(settings, sim.clock)
    with GraphSession(settings, provider) as graph:
        assert graph.get_json("/users", {"$top": "2"})["value"]


def test_wrong_secret_is_a_clear_error_without_the_secret(sim) -> None:
    provider = build_token_provider(sim_settings(sim, CLIENT_SECRET="wrong-secret-value"), sim.clock)
    with pytest.raises(AuthError) as err:
        provider.token(SCOPE)
    assert "CLIENT_SECRET" in str(err.value) and "wrong-secret-value" not in str(err.value)


def test_unreachable_authority_is_a_clear_error(sim) -> None:
    provider = build_token_provider(sim_settings(sim, AUTHORITY_HOST="https://127.0.0.1:9"), sim.clock)
    with pytest.raises(AuthError, match="AUTHORITY_HOST"):
        provider.token(SCOPE)


def test_kiota_provider_gives_the_token_only_to_the_graph_host(sim) -> None:
    settings = sim_settings(sim)
    kiota = KiotaTokenProvider(build_token_provider(settings, sim.clock), SCOPE, [settings.graph_host])
    token_for = lambda url: asyncio.run(kiota.get_authorization_token(url))  # noqa: E731
    assert token_for("https://evil.example/v1.0/users") == ""
    assert token_for(settings.graph_base_url.replace("https", "http")) == ""
    assert token_for(settings.graph_base_url + "/users").count(".") == 2
