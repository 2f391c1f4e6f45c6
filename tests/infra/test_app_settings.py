"""The app settings main.bicep writes are the ones teams_sip/config.py reads, and they validate.

Values the deployment computes (endpoints, client ids) are replaced by realistic samples; literal
values and parameter defaults are taken from the Bicep itself, so a renamed setting or a mode the
app does not know fails here rather than at the first cold start in Azure.
"""

from __future__ import annotations

from typing import Any

import pytest

from teams_sip import config
from teams_sip.errors import ConfigError
from tests.infra.bicep_tree import named_pairs, parse

SAMPLE_OUTPUTS = {
    "tableEndpoint": "https://st0example.table.core.windows.net/",
    "blobEndpoint": "https://st0example.blob.core.windows.net/",
    "uri": "https://kv-example.vault.azure.net/",
    "connectionString": "InstrumentationKey=00000000-0000-0000-0000-000000000000",
}
SAMPLE_GUID = "11111111-2222-3333-4444-555555555555"


def main() -> dict[str, Any]:
    return parse("main.bicep")


def resolve(name: str, value: Any, chosen: dict[str, str]) -> str:
    """Evaluate the few value shapes main.bicep uses: parameter, variable, literal, module output."""
    params, variables = main()["parameters"], main()["variables"]
    if isinstance(value, str):
        if value in chosen:
            return chosen[value]
        if value in params:
            return str(params[value]["default"])
        if value in variables:
            return resolve(name, variables[value]["value"], chosen)
        return value
    conditional = value.get("operator", {}) if isinstance(value, dict) else {}
    test = conditional.get("operands", {}).get("condition", {}).get("function", {})
    if conditional.get("type") == "conditional" and test.get("type") == "empty":  # empty(param) ? a : b
        operands = conditional["operands"]
        tested = resolve(name, test["parameters"]["item_to_test"], chosen)
        return resolve(name, operands["true_value" if not tested else "false_value"], chosen)
    text = repr(value)
    for output, sample in SAMPLE_OUTPUTS.items():
        if f"'{output}'" in text:
            return sample
    if name.endswith("_ID"):
        return SAMPLE_GUID
    return f"computed:{name}"


def deployed_settings(chosen: dict[str, str]) -> dict[str, str]:
    variables = main()["variables"]
    pairs = named_pairs(variables["appSettings"]["value"])
    if chosen.get("authMode") == "client_secret":
        pairs += [p for p in named_pairs(variables["graphCredentialSettings"]["value"]) if p["name"] == "CLIENT_SECRET"]
    return {p["name"]: resolve(p["name"], p["value"], chosen) for p in pairs}


def allowed(param: str) -> list[str]:
    for decorator in main()["parameters"][param]["decorators"]:
        if decorator["type"] == "allowed":
            return list(decorator["argument"])
    raise AssertionError(f"{param} has no @allowed list")


def test_modes_offered_by_the_template_are_modes_the_app_knows() -> None:
    assert set(allowed("authMode")) == set(config.AUTH_MODES)
    assert set(allowed("provisioningMode")) == set(config.PROVISIONING_MODES)


@pytest.mark.parametrize("provisioning_mode", ["assisted", "api"])
@pytest.mark.parametrize("auth_mode", ["managed_identity", "client_secret"])
def test_deployed_settings_validate(auth_mode: str, provisioning_mode: str) -> None:
    gateway = {"provisioningBaseUrl": "https://gateway.example"} if provisioning_mode == "api" else {}
    settings = deployed_settings({"authMode": auth_mode, "provisioningMode": provisioning_mode,
                                  "graphClientId": SAMPLE_GUID} | gateway)
    loaded = config.settings_from_values(settings)
    assert loaded.auth_mode == auth_mode
    assert loaded.provisioning_mode == provisioning_mode
    assert loaded.state_store == "table"
    assert loaded.tables_endpoint == SAMPLE_OUTPUTS["tableEndpoint"].rstrip("/")


def test_required_names_are_set() -> None:
    names = set(deployed_settings({}))
    assert {"TENANT_ID", "CLIENT_ID", "AUTH_MODE", "PROVISIONING_MODE", "STATE_STORE", "TABLES_ENDPOINT",
            "RECONCILE_SCHEDULE", "APPLICATIONINSIGHTS_CONNECTION_STRING",
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING"} <= names


def test_defaults_match_the_app() -> None:
    params = main()["parameters"]
    assert params["provisioningBaseUrl"]["default"] == ""  # our contract has no Microsoft host to default to
    assert params["reconcileSchedule"]["default"] == "0 */15 * * * *"


def test_api_mode_without_a_gateway_url_is_refused_at_start() -> None:
    settings = deployed_settings({"authMode": "managed_identity", "provisioningMode": "api"})
    with pytest.raises(ConfigError, match="PROVISIONING_BASE_URL"):
        config.settings_from_values(settings)


def test_secret_is_only_a_key_vault_reference() -> None:
    secret = [p for p in named_pairs(main()["variables"]["graphCredentialSettings"]["value"])
              if p["name"] == "CLIENT_SECRET"]
    assert len(secret) == 1
    assert "@Microsoft.KeyVault(" in repr(secret[0]["value"])


def test_host_storage_is_identity_based() -> None:
    host = {p["name"]: p["value"] for p in named_pairs(parse("app/function.bicep")["variables"])}
    assert host["AzureWebJobsStorage__credential"] == "managedidentity"
    for suffix in ("clientId", "blobServiceUri", "queueServiceUri", "tableServiceUri"):
        assert f"AzureWebJobsStorage__{suffix}" in host
    assert not any("AccountKey" in repr(v) for v in host.values())


def test_platform_headers_are_trusted_exactly_when_app_service_authentication_is_on() -> None:
    """Issue 24 item 7: without App Service authentication anyone can send x-ms-client-principal."""
    assert config.settings_from_values(deployed_settings({})).rollout.trust_platform_auth_headers is False
    on = deployed_settings({"authClientId": SAMPLE_GUID})
    assert on["TRUST_PLATFORM_AUTH_HEADERS"] == "true"
    assert config.settings_from_values(on).rollout.trust_platform_auth_headers is True


def test_the_code_fingerprint_key_is_a_key_vault_reference() -> None:
    """Issue 24 item 6: the HMAC key of stored code fingerprints lives outside Table Storage."""
    assert deployed_settings({})["CODE_FINGERPRINT_KEY"].startswith("@Microsoft.KeyVault(")
