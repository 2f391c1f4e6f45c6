"""scripts/grant-graph-permissions.sh against a stand-in `az` that keeps a tenant's assignments.

The stand-in answers only the az calls the script makes and records every POST, so the tests see
what the script would change in a real tenant: nothing on a dry run, only the missing
permissions on a real run, nothing on a second run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.bicep_tree import ROOT

SCRIPT = ROOT / "scripts" / "grant-graph-permissions.sh"
REQUIRED = ["User.Read.All", "TeamsUserConfiguration.Read.All", "TeamsPolicyUserAssign.ReadWrite.All",
            "Mail.Send", "TeamworkDevice.Read.All", "ConfigurationMonitoring.ReadWrite.All"]
ROLE_IDS = {name: f"0000000{i}-aaaa-bbbb-cccc-000000000000" for i, name in enumerate(REQUIRED)}
GRAPH_SP = "99999999-9999-9999-9999-999999999999"
IDENTITY = "12345678-1234-1234-1234-123456789abc"
UTCM_APP = "03b07b79-c5bc-4b5e-9bfa-13acf4a99998"
UTCM_SP = "77777777-7777-7777-7777-777777777777"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"

FAKE_AZ = r'''
import json, os, re, sys
args = sys.argv[1:]
state_path = os.environ["FAKE_AZ_STATE"]
state = json.load(open(state_path))
def opt(name):
    return args[args.index(name) + 1] if name in args else ""
def save():
    json.dump(state, open(state_path, "w"))
state["calls"].append(args)
if args[:3] == ["deployment", "group", "show"]:
    print(state["deployment_principal"])
elif args[:3] == ["ad", "sp", "show"] and opt("--id") == "03b07b79-c5bc-4b5e-9bfa-13acf4a99998":
    if not state.get("utcm_sp"):
        sys.exit("ERROR: Service principal not found")
    print(state["utcm_sp"])
elif args[:3] == ["ad", "sp", "create"]:
    state["utcm_sp"] = "77777777-7777-7777-7777-777777777777"
    print(state["utcm_sp"])
elif args[0] == "rest" and "roleAssignments" in opt("--uri") and opt("--method") == "GET":
    sp = re.search(r"principalId eq '([^']+)'", opt("--uri")).group(1)
    role = re.search(r"roleDefinitionId eq '([^']+)'", opt("--uri")).group(1)
    print("\n".join("r" for r in state["directory_roles"] if r["principalId"] == sp and r["roleDefinitionId"] == role))
elif args[0] == "rest" and "roleAssignments" in opt("--uri") and opt("--method") == "POST":
    state["directory_roles"].append(json.loads(opt("--body")))
elif args[:3] == ["ad", "sp", "show"]:
    query = opt("--query")
    if query == "id":
        print(state["graph_sp"])
    else:
        wanted = re.search(r"value=='([^']+)'", query).group(1)
        print(state["roles"].get(wanted, ""))
elif args[0] == "rest" and opt("--method") == "GET":
    print("\n".join(a["appRoleId"] for a in state["assigned"]))
elif args[0] == "rest" and opt("--method") == "POST":
    state["assigned"].append(json.loads(opt("--body")))
else:
    sys.exit("fake az: unexpected call " + " ".join(args))
save()
'''


@pytest.fixture
def tenant(tmp_path: Path) -> dict[str, object]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    az.write_text(f"#!{sys.executable}\n{FAKE_AZ}")
    az.chmod(0o755)
    state = {"graph_sp": GRAPH_SP, "roles": ROLE_IDS, "calls": [], "deployment_principal": IDENTITY,
             "utcm_sp": "", "directory_roles": [],
             "assigned": [{"principalId": IDENTITY, "resourceId": GRAPH_SP, "appRoleId": ROLE_IDS["User.Read.All"]},
                          {"principalId": IDENTITY, "resourceId": GRAPH_SP, "appRoleId": ROLE_IDS["Mail.Send"]}]}
    (tmp_path / "state.json").write_text(json.dumps(state))
    return {"dir": tmp_path, "path": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"}


def run(tenant: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(tenant["path"]), "FAKE_AZ_STATE": str(Path(str(tenant["dir"])) / "state.json")}
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)


def state(tenant: dict[str, object]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((Path(str(tenant["dir"])) / "state.json").read_text())
    return loaded


def assigned(tenant: dict[str, object]) -> list[str]:
    roles = {v: k for k, v in ROLE_IDS.items()}
    return sorted(roles[a["appRoleId"]] for a in state(tenant)["assigned"])


def test_dry_run_changes_nothing(tenant: dict[str, object]) -> None:
    result = run(tenant, "--principal-id", IDENTITY, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("would grant:") == 4
    assert result.stdout.count("already granted:") == 2
    assert "would create: Tenant Configuration Management service principal" in result.stdout
    assert "would assign role: Global Reader" in result.stdout
    assert not state(tenant)["utcm_sp"] and not state(tenant)["directory_roles"]
    assert assigned(tenant) == ["Mail.Send", "User.Read.All"]


def test_grants_only_what_is_missing_then_nothing(tenant: dict[str, object]) -> None:
    first = run(tenant, "--principal-id", IDENTITY)
    assert first.returncode == 0, first.stderr
    assert assigned(tenant) == sorted(REQUIRED)
    for assignment in state(tenant)["assigned"]:
        assert assignment["principalId"] == IDENTITY and assignment["resourceId"] == GRAPH_SP
    second = run(tenant, "--principal-id", IDENTITY)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("already granted:") == 6
    assert assigned(tenant) == sorted(REQUIRED)
    assert "already present: Tenant Configuration Management" in second.stdout
    assert "already holds: Global Reader" in second.stdout
    assert state(tenant)["directory_roles"] == [
        {"principalId": UTCM_SP, "roleDefinitionId": GLOBAL_READER, "directoryScopeId": "/"}]


def test_creates_the_configuration_management_service_principal_and_gives_it_global_reader(
        tenant: dict[str, object]) -> None:
    result = run(tenant, "--principal-id", IDENTITY)
    assert result.returncode == 0, result.stderr
    assert "created: Tenant Configuration Management service principal" in result.stdout
    assert "assigned role: Global Reader" in result.stdout
    assert state(tenant)["utcm_sp"] == UTCM_SP
    assert ["ad", "sp", "create", "--id", UTCM_APP, "--query", "id", "--output", "tsv"] in state(tenant)["calls"]


def test_reads_the_identity_from_the_deployment(tenant: dict[str, object]) -> None:
    result = run(tenant, "--resource-group", "rg-teams-sip", "--dry-run")
    assert result.returncode == 0, result.stderr
    calls = state(tenant)["calls"]
    assert calls[0][:7] == ["deployment", "group", "show", "--resource-group", "rg-teams-sip", "--name", "main"]


@pytest.mark.parametrize("args, message", [
    (["--principal-id", "not-a-guid"], "is not a GUID"),
    ([], "give --principal-id or --resource-group"),
    (["--bogus"], "unknown argument"),
])
def test_bad_arguments_are_refused_before_any_change(tenant: dict[str, object], args: list[str], message: str) -> None:
    result = run(tenant, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert assigned(tenant) == ["Mail.Send", "User.Read.All"]


def test_missing_az_is_explained(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run([bash, str(SCRIPT), "--principal-id", IDENTITY], capture_output=True, text=True,
                            env={"PATH": str(tmp_path)}, timeout=60)
    assert result.returncode == 2
    assert "Azure CLI (az) is not installed" in result.stderr


def test_each_permission_is_justified_in_a_comment() -> None:
    lines = SCRIPT.read_text(encoding="utf-8").splitlines()
    listed = [(i, m.group(1)) for i, line in enumerate(lines) if (m := re.fullmatch(r'\s+"([\w.]+)"', line))]
    assert [name for _, name in listed] == REQUIRED
    for index, name in listed:
        assert lines[index - 1].strip().startswith("#"), f"{name} has no justification comment"
