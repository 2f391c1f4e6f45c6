"""The tenants file: JSON or CSV, each entry's settings validated by the single-tenant rules, every
problem named at once, secrets only by the name of the app setting that holds them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teams_sip.errors import ConfigError
from teams_sip.tenancy.deployment import UnknownTenantError, deployment_from_values

APP = "11111111-2222-3333-4444-555555555555"
T1 = "aaaaaaaa-0000-0000-0000-000000000001"
T2 = "aaaaaaaa-0000-0000-0000-000000000002"
BASE = {"CLIENT_ID": APP, "CLIENT_SECRET": "shared-app-secret", "WINDOW_OPENS_AT": "07:00"}


def _write(tmp_path: Path, tenants: object, name: str = "tenants.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(tenants) if not isinstance(tenants, str) else tenants, encoding="utf-8")
    return path


def test_without_a_tenants_file_the_deployment_is_one_tenant_as_before() -> None:
    deployment = deployment_from_values({**BASE, "TENANT_ID": T1})
    assert not deployment.multi and deployment.names == []
    settings = deployment.settings_for(None)
    assert settings.tenant_id == T1 and settings.tenant_name is None
    with pytest.raises(UnknownTenantError):
        deployment.settings_for("contoso")


def test_json_entries_lay_their_settings_over_the_deployment(tmp_path: Path) -> None:
    (tmp_path / "contoso-sites.csv").write_text("name,time zone\nHQ,Europe/Paris\n", encoding="utf-8")
    path = _write(tmp_path, {"tenants": [
        {"name": "contoso", "tenantId": T1.upper(), "displayName": "Contoso Ltd", "sitesFile": "contoso-sites.csv",
         "mailSender": "rollout@contoso.example", "adminContacts": ["it@contoso.example"],
         "adminGroupId": "bbbbbbbb-0000-0000-0000-000000000001", "settings": {"WINDOW_OPENS_AT": "08:30"}},
        {"name": "fabrikam", "tenantId": T2},
    ]})
    deployment = deployment_from_values({**BASE, "TENANTS_FILE": str(path)})
    assert deployment.multi and deployment.names == ["contoso", "fabrikam"]
    contoso, fabrikam = deployment.settings_for("contoso"), deployment.settings_for("fabrikam")
    assert (contoso.tenant_id, contoso.tenant_name) == (T1, "contoso")
    assert contoso.rollout.sites_file == tmp_path / "contoso-sites.csv"
    assert contoso.rollout.window_opens_at.isoformat() == "08:30:00"
    assert contoso.rollout.admin_contacts == ("it@contoso.example",)
    assert contoso.rollout.admin_group_id == "bbbbbbbb-0000-0000-0000-000000000001"
    assert fabrikam.rollout.window_opens_at.isoformat() == "07:00:00" and fabrikam.rollout.mail_sender is None
    assert contoso.client_id == fabrikam.client_id == APP  # one multi-tenant app, consented in each tenant
    assert deployment.display_name("contoso") == "Contoso Ltd"


def test_several_tenants_need_a_name_and_an_unknown_name_lists_the_known(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"name": "contoso", "tenantId": T1}, {"name": "fabrikam", "tenantId": T2}])
    deployment = deployment_from_values({**BASE, "TENANTS_FILE": str(path)})
    with pytest.raises(ConfigError, match="contoso, fabrikam"):
        deployment.settings_for(None)
    with pytest.raises(UnknownTenantError, match="no tenant is named 'tailspin'"):
        deployment.settings_for("tailspin")


def test_csv_has_the_same_fields_as_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "name,tenantId,mailSender,clientId,clientSecretSetting,WINDOW_DAYS\n"
                            f"contoso,{T1},rollout@contoso.example,{APP},CONTOSO_SECRET,3\n"
                            f"fabrikam,{T2},,,,\n", "tenants.csv")
    deployment = deployment_from_values({**BASE, "TENANTS_FILE": str(path), "CONTOSO_SECRET": "contoso-own"})
    contoso = deployment.settings_for("contoso")
    assert contoso.rollout.window_days == 3 and contoso.rollout.mail_sender == "rollout@contoso.example"
    assert contoso.client_secret is not None and contoso.client_secret.reveal() == "contoso-own"
    fabrikam = deployment.settings_for("fabrikam")
    assert fabrikam.client_secret is not None and fabrikam.client_secret.reveal() == "shared-app-secret"


def test_every_problem_is_named_at_once_and_nothing_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        {"name": "Contoso!", "tenantId": T1},
        {"name": "fabrikam", "tenantId": "not-a-guid"},
        {"name": "tailspin", "tenantId": T2, "settings": {"STATE_STORE": "table"}},
        {"name": "north", "tenantId": "aaaaaaaa-0000-0000-0000-000000000003", "colour": "blue"},
        {"name": "south", "tenantId": "aaaaaaaa-0000-0000-0000-000000000004"},
        {"name": "south", "tenantId": "aaaaaaaa-0000-0000-0000-000000000005"},
    ])
    with pytest.raises(ConfigError) as caught:
        deployment_from_values({**BASE, "TENANTS_FILE": str(path)})
    text = str(caught.value)
    for expected in ("entry 1", "lower-case", "entry 2", "tenantId", "STATE_STORE is set once", "unknown field",
                     "'south' appears more than once"):
        assert expected in text


def test_a_bad_setting_of_one_tenant_names_the_tenant(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"name": "contoso", "tenantId": T1, "settings": {"WINDOW_OPENS_AT": "late"}}])
    with pytest.raises(ConfigError, match="tenant 'contoso': WINDOW_OPENS_AT"):
        deployment_from_values({**BASE, "TENANTS_FILE": str(path)})


def test_secrets_are_refused_in_the_file_and_never_echoed(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"name": "contoso", "tenantId": T1,
                              "credential": {"clientId": APP, "clientSecret": "s3cr3t-value"}}])
    with pytest.raises(ConfigError, match="never go in the tenants file") as caught:
        deployment_from_values({**BASE, "TENANTS_FILE": str(path)})
    assert "s3cr3t-value" not in str(caught.value)
    path = _write(tmp_path, [{"name": "contoso", "tenantId": T1,
                              "credential": {"clientId": APP, "clientSecretSetting": "MISSING_SECRET"}}])
    with pytest.raises(ConfigError, match="MISSING_SECRET, which is not set"):
        deployment_from_values({**BASE, "TENANTS_FILE": str(path)})


def test_an_own_credential_replaces_the_shared_one_whole(tmp_path: Path) -> None:
    own_app = "22222222-2222-3333-4444-555555555555"
    path = _write(tmp_path, [{"name": "contoso", "tenantId": T1,
                              "credential": {"clientId": own_app, "clientSecretSetting": "CONTOSO_SECRET"}}])
    settings = deployment_from_values({**BASE, "TENANTS_FILE": str(path), "CONTOSO_SECRET": "own"}).settings_for(None)
    assert settings.client_id == own_app and settings.client_secret is not None
    assert settings.client_secret.reveal() == "own" and settings.auth_mode == "client_secret"


@pytest.mark.parametrize("content", ["{not json", "[]", '{"tenants": 3}', "\xff\xfe"])
def test_unreadable_files_are_refused_clearly(tmp_path: Path, content: str) -> None:
    path = tmp_path / "tenants.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(ConfigError, match="TENANTS_FILE"):
        deployment_from_values({**BASE, "TENANTS_FILE": str(path)})


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        deployment_from_values({**BASE, "TENANTS_FILE": str(tmp_path / "absent.json")})
