"""CLIENT_CERTIFICATE as an app setting (PEM text or the base64 PFX a Key Vault reference yields),
for Flex Consumption where certificate files cannot be loaded; tokens come from the simulated tenant."""

import base64
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.errors import ConfigError
from tests.clients.conftest import sim_settings


def _pfx_base64(sim, password: bytes | None) -> str:
    key = serialization.load_pem_private_key(Path(sim.key_pem_path).read_bytes(), None)
    cert = x509.load_pem_x509_certificate(Path(sim.cert_pem_path).read_bytes())
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    blob = pkcs12.serialize_key_and_certificates(b"teams-sip", key, cert, None, encryption)  # type: ignore[arg-type]
    return base64.b64encode(blob).decode()


@pytest.mark.parametrize("form", ["pem", "pfx", "pfx-with-password"])
def test_certificate_from_setting_text(sim, form: str) -> None:
    extra = {}
    if form == "pem":
        text = Path(sim.cert_pem_path).read_text() + Path(sim.key_pem_path).read_text()
    elif form == "pfx":
        text = _pfx_base64(sim, None)
    else:
        text = _pfx_base64(sim, b"s3cret")
        extra["CLIENT_CERTIFICATE_PASSWORD"] = "s3cret"
    settings = sim_settings(sim, CLIENT_SECRET="", AUTH_MODE="", CLIENT_CERTIFICATE=text, **extra)
    assert settings.auth_mode == "certificate"
    assert text not in repr(settings)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as graph:
        assert graph.get_json("/users", {"$top": "1"})["value"]


def test_unreadable_certificate_text_is_a_clear_error_without_the_value(sim) -> None:
    settings = sim_settings(sim, CLIENT_SECRET="", AUTH_MODE="certificate", CLIENT_CERTIFICATE="not-a-cert-value")
    with pytest.raises(ConfigError) as err:
        build_token_provider(settings, sim.clock).token("https://graph.microsoft.com/.default")
    assert "CLIENT_CERTIFICATE" in str(err.value) and "not-a-cert-value" not in str(err.value)
