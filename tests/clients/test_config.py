"""Settings: merged from local.settings.json and the environment, refused with the setting named."""

import json
from pathlib import Path

import pytest

from teams_sip.config import load_settings, settings_from_values
from teams_sip.errors import ConfigError

TENANT = "11111111-2222-3333-4444-555555555555"
APP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def base(**extra: str) -> dict[str, str]:
    return {"TENANT_ID": TENANT, "CLIENT_ID": APP, "CLIENT_SECRET": "s3cret-value", **extra}


def test_minimal_secret_settings_with_defaults() -> None:
    s = settings_from_values(base())
    assert s.auth_mode == "client_secret"
    assert s.authority == f"https://login.microsoftonline.com/{TENANT}"
    assert s.graph_base_url == "https://graph.microsoft.com/v1.0"
    assert s.graph_host == "graph.microsoft.com"
    assert s.provisioning_mode == "assisted" and s.state_store == "sqlite"
    assert "s3cret-value" not in repr(s)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"CLIENT_ID": APP}, "TENANT_ID"),
        (base(TENANT_ID="not-a-guid"), "TENANT_ID"),
        (base(CLIENT_ID=""), "CLIENT_ID"),
        (base(AUTH_MODE="password"), "AUTH_MODE"),
        (base(AUTH_MODE="certificate"), "CLIENT_CERTIFICATE_PATH"),
        (base(CLIENT_CERTIFICATE_PATH="/nonexistent/cert.pem"), "CLIENT_CERTIFICATE_PATH"),
        (base(PROVISIONING_MODE="api"), "PROVISIONING_BASE_URL"),
        (base(PROVISIONING_MODE="api", PROVISIONING_BASE_URL="ftp://x"), "PROVISIONING_BASE_URL"),
        (base(GRAPH_BASE_URL="http://graph.example/v1.0"), "GRAPH_BASE_URL"),
        (base(STATE_STORE="table"), "TABLES_ENDPOINT"),
        (base(CA_BUNDLE="/nonexistent/ca.pem"), "CA_BUNDLE"),
        (base(HTTP_TIMEOUT_SECONDS="soon"), "HTTP_TIMEOUT_SECONDS"),
        (base(HTTP_MAX_RETRIES="2.5"), "HTTP_MAX_RETRIES"),
        (base(HTTP_MAX_CONCURRENCY="0"), "HTTP_MAX_CONCURRENCY"),
        (base(INSTANCE_DISCOVERY="maybe"), "INSTANCE_DISCOVERY"),
    ],
)
def test_bad_settings_name_the_setting(values: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as err:
        settings_from_values(values)
    assert named in str(err.value)
    assert "s3cret-value" not in str(err.value)


def test_client_secret_mode_needs_the_secret() -> None:
    with pytest.raises(ConfigError, match="CLIENT_SECRET"):
        settings_from_values({"TENANT_ID": TENANT, "CLIENT_ID": APP, "AUTH_MODE": "client_secret"})


def test_managed_identity_is_the_default_without_credentials() -> None:
    s = settings_from_values({"TENANT_ID": TENANT})
    assert s.auth_mode == "managed_identity" and s.client_id is None


def test_file_values_are_overridden_by_environment(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    file = tmp_path / "local.settings.json"
    values = {**base(), "GRAPH_BASE_URL": "https://graph.file/v1.0", "HTTP_MAX_RETRIES": 2, "INSTANCE_DISCOVERY": False}
    file.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
    s = load_settings({"GRAPH_BASE_URL": "https://graph.env/v1.0", "CA_BUNDLE": str(ca)}, file)
    assert s.graph_base_url == "https://graph.env/v1.0"
    assert s.http.max_retries == 2 and s.instance_discovery is False and s.ca_bundle == ca


def test_unreadable_settings_file_is_a_config_error(tmp_path: Path) -> None:
    file = tmp_path / "local.settings.json"
    file.write_text("{not json")
    with pytest.raises(ConfigError, match="not readable JSON"):
        load_settings({}, file)
    file.write_text(json.dumps({"Values": {"TENANT_ID": ["x"]}}))
    with pytest.raises(ConfigError, match="TENANT_ID"):
        load_settings({}, file)


def test_example_settings_file_is_valid_and_documents_every_setting() -> None:
    root = Path(__file__).resolve().parents[2]
    example = json.loads((root / "local.settings.json.example").read_text())
    names = set(example["Values"])
    documented = set(example["_comments"])
    assert names <= documented | {"AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME"}
    source = (root / "teams_sip" / "config.py").read_text()
    for name in documented:
        assert name in names
    read_by_config = {n for n in names if f'"{n}"' in source}
    assert {"TENANT_ID", "CLIENT_ID", "AUTH_MODE", "GRAPH_BASE_URL", "PROVISIONING_MODE", "CA_BUNDLE"} <= read_by_config
