"""checkov finds nothing in infra/ that is not justified in a suppression comment.

checkov exits 0 when it cannot parse a file, so the JSON report's summary.parsing_errors is read
instead of trusting the exit code. scripts/checkov.sh installs checkov into .tools/checkov once.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.bicep_tree import INFRA, ROOT, bicep_files

pytestmark = pytest.mark.slow

SUPPRESSION = re.compile(r"//\s*checkov:skip=(CKV2?_[A-Z]+_\d+):(.*)$")


def run_checkov(directory: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "checkov.sh"), "-d", str(directory), "--framework", "bicep", "-o", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.stdout.strip(), f"checkov printed no report (exit {result.returncode}): {result.stderr[-2000:]}"
    report: Any = json.loads(result.stdout)
    # With nothing to scan checkov prints a bare summary; with several frameworks, a list.
    chosen: dict[str, Any] = report[0] if isinstance(report, list) else report
    return chosen


@pytest.fixture(scope="module")
def infra_report() -> dict[str, Any]:
    return run_checkov(INFRA)


def suppressions_in_infra() -> dict[tuple[str, str], str]:
    """(file relative to infra/, check id) -> reason, for every suppression comment."""
    found: dict[tuple[str, str], str] = {}
    for path in bicep_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = SUPPRESSION.search(line)
            if match:
                found[(path.relative_to(INFRA).as_posix(), match.group(1))] = match.group(2).strip()
    return found


def test_checkov_parses_every_bicep_file(infra_report: dict[str, Any]) -> None:
    summary = infra_report["summary"]
    assert summary["parsing_errors"] == 0, infra_report["results"].get("parsing_errors")
    assert summary["resource_count"] >= 10


def test_no_unjustified_findings(infra_report: dict[str, Any]) -> None:
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for c in infra_report["results"]["failed_checks"]]
    assert not failed, "fix these or justify them with //checkov:skip=ID:reason\n" + "\n".join(failed)
    assert infra_report["summary"]["passed"] > 0


def test_every_skip_has_a_reason_and_matches_a_finding(infra_report: dict[str, Any]) -> None:
    suppressions = suppressions_in_infra()
    for (file, check), reason in suppressions.items():
        assert len(reason) >= 30, f"{file} {check}: say why this finding is acceptable"
    skipped = {(c["file_path"].lstrip("/"), c["check_id"]) for c in infra_report["results"]["skipped_checks"]}
    for check in infra_report["results"]["skipped_checks"]:
        assert check["check_result"]["suppress_comment"] != "No comment provided", check["check_id"]
    stale = set(suppressions) - skipped
    assert not stale, f"suppressions for checks that no longer fire (remove them): {sorted(stale)}"


def test_gate_catches_parse_errors_and_findings(tmp_path: Path) -> None:
    """checkov exits 0 on these; only reading the report catches them."""
    (tmp_path / "broken.bicep").write_text("resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n")
    (tmp_path / "weak.bicep").write_text(
        "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n"
        "  name: 'stweak'\n  location: 'westeurope'\n  kind: 'StorageV2'\n  sku: {\n    name: 'Standard_LRS'\n  }\n"
        "  properties: {\n    minimumTlsVersion: 'TLS1_0'\n    supportsHttpsTrafficOnly: false\n  }\n}\n"
    )
    report = run_checkov(tmp_path)
    assert report["summary"]["parsing_errors"] == 1
    failed = {c["check_id"] for c in report["results"]["failed_checks"]}
    assert {"CKV_AZURE_44", "CKV_AZURE_3"} <= failed
