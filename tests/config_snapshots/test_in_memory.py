"""A pass on in-memory ports (tests/fakes) judges calling policies from the Ports' snapshot source
before the catalogue setting: the same wiring as bootstrap.Wiring, without a server."""

from __future__ import annotations

import json

from teams_sip.domain.eligibility.policies import CallingPolicySettings
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.service.rollout import Rollout
from tests.fakes.config_snapshots import MemorySnapshots
from tests.fakes.directory import SIP_POLICY, MemoryDirectory, MemoryDirectorySession, eligible_user
from tests.fakes.ports import START, MemoryPorts, memory_settings

UPN = "user1@contoso.com"


def _pass(snapshots: MemorySnapshots | None) -> tuple[MemoryPorts, Rollout]:
    directory = MemoryDirectorySession(MemoryDirectory([eligible_user(UPN, "u-1")]))
    ports = MemoryPorts(memory_settings(), directory=directory, config_snapshots=snapshots)
    rollout = Rollout(ports)
    csv = f"IPEI,UPN,Display name,Site,Install date,Account type\n0DEADBE001,{UPN},User,Lyon,2026-03-17,personal\n"
    assert rollout.import_file(csv.encode(), "fleet.csv", actor="admin", correlation_id="imp").import_id is not None
    assert rollout.run_pass(correlation_id="p1").ran
    return ports, rollout


def test_the_snapshot_overrules_the_catalogue_and_the_report_names_it() -> None:
    # The catalogue setting calls SIP_POLICY compliant; the tenant's snapshot says it is not.
    config = TenantConfiguration(START, calling_policies=(CallingPolicySettings(SIP_POLICY, False, "Enabled"),))
    snapshots = MemorySnapshots(config, lambda: START)
    ports, rollout = _pass(snapshots)
    assert snapshots.created == 1 and snapshots.jobs == {}, "one job, deleted once read"
    assert rollout.verdicts.all()[UPN].verdict.value != "eligible"
    report = json.loads(ports.artifacts.get("reports/latest.json") or b"{}")
    assert report["policySource"].startswith("configuration snapshot taken")


def test_without_a_snapshot_source_the_catalogue_judges() -> None:
    ports, rollout = _pass(None)
    assert rollout.verdicts.all()[UPN].verdict.value == "eligible"
    report = json.loads(ports.artifacts.get("reports/latest.json") or b"{}")
    assert "snapshot" not in report["policySource"]
