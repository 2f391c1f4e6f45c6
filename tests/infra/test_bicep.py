"""Every Bicep file parses, and the security properties the deployment relies on are in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.bicep_tree import INFRA, bicep_files, parse, resource


def test_infra_has_main_and_app_modules() -> None:
    names = {p.relative_to(INFRA).as_posix() for p in bicep_files()}
    assert {"main.bicep", "app/function.bicep", "app/storage.bicep", "app/keyvault.bicep",
            "app/monitoring.bicep", "app/identity.bicep", "app/roles.bicep"} <= names


@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: p.relative_to(INFRA).as_posix())
def test_bicep_file_parses(path: Path) -> None:
    tree = parse(path.relative_to(INFRA).as_posix())
    assert tree.get("resources") or tree.get("modules"), f"{path} declares nothing"


def test_pycep_rejects_broken_bicep() -> None:
    """The parse test above can fail: a truncated resource is a parse error."""
    from pycep import BicepParser

    with pytest.raises(Exception):  # noqa: B017 - pycep raises lark's errors, not one class of its own
        BicepParser().parse(text="resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'x'\n")


def test_every_module_path_exists() -> None:
    for symbol, module in parse("main.bicep")["modules"].items():
        assert (INFRA / module["detail"]["path"]).is_file(), symbol


def test_storage_accepts_identities_only() -> None:
    props = resource("app/storage.bicep", "storage")["config"]["properties"]
    assert props["allowSharedKeyAccess"] is False
    assert props["allowBlobPublicAccess"] is False
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    tree = parse("app/storage.bicep")["resources"]
    kinds = {r["type"] for r in tree.values()}
    assert {"Microsoft.Storage/storageAccounts/blobServices", "Microsoft.Storage/storageAccounts/queueServices",
            "Microsoft.Storage/storageAccounts/tableServices"} <= kinds


def test_key_vault_is_rbac_with_purge_protection() -> None:
    props = resource("app/keyvault.bicep", "vault")["config"]["properties"]
    assert props["enableRbacAuthorization"] is True
    assert props["enableSoftDelete"] is True
    assert props["enablePurgeProtection"] is True


def test_function_app_is_flex_consumption_python_311_with_identity_deployment() -> None:
    plan = resource("app/function.bicep", "plan")["config"]
    assert plan["sku"] == {"tier": "FlexConsumption", "name": "FC1"}
    app = resource("app/function.bicep", "app")["config"]
    assert app["identity"]["type"] == "UserAssigned"
    config = app["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    storage = config["deployment"]["storage"]
    assert storage["type"] == "blobContainer"
    assert storage["authentication"]["type"] == "UserAssignedIdentity"
    assert app["properties"]["httpsOnly"] is True
    assert app["properties"]["siteConfig"]["minTlsVersion"] == "1.2"


def test_application_insights_takes_entra_authenticated_telemetry_only() -> None:
    props = resource("app/monitoring.bicep", "applicationInsights")["config"]["properties"]
    assert props["DisableLocalAuth"] is True


def test_role_assignments_grant_the_five_roles() -> None:
    variables = parse("app/roles.bicep")["variables"]
    roles = {name: v["value"] for name, v in variables.items()}
    # Built-in role ids as Azure publishes them; a typo would grant nothing (or something else).
    assert roles["storageBlobDataOwner"] == "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
    assert roles["storageQueueDataContributor"] == "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
    assert roles["storageTableDataContributor"] == "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
    assert roles["keyVaultSecretsUser"] == "4633458b-17de-408a-b874-0445c86b69e6"
    assert roles["monitoringMetricsPublisher"] == "3913510d-42f4-4e42-8a64-420c390055eb"
    assignments = [r for r in parse("app/roles.bicep")["resources"].values()
                   if r["type"] == "Microsoft.Authorization/roleAssignments"]
    assert len(assignments) >= 5


def test_resource_names_come_from_the_abbreviations_table() -> None:
    import json

    abbreviations = json.loads((INFRA / "abbreviations.json").read_text(encoding="utf-8"))
    source = (INFRA / "main.bicep").read_text(encoding="utf-8")
    assert "loadJsonContent('abbreviations.json')" in source
    for key in abbreviations:
        assert f"abbrs.{key}" in source, f"abbreviation {key} unused"
    assert "uniqueString(" in source
