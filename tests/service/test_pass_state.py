"""Two site passes at once on ONE service object (issue 18): each pass's report names the policy
source of its own pre-flight. The pre-flight's result once lived on the shared object
(`last_preflight`), so a pass that asked nobody reported the policy source of a pass that ran beside
it, and `refresh_policies` set by one caller was taken by whichever pass checked users next."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.domain.eligibility.policies import CallingPolicySettings
from teams_sip.domain.eligibility.tenant_config import TenantConfiguration
from teams_sip.service.device_store import DEVICES_TABLE
from teams_sip.service.ports.store import Entity
from teams_sip.service.rollout import PassOutcome, Rollout
from tests.fakes.config_snapshots import MemorySnapshots
from tests.fakes.directory import SIP_POLICY, MemoryDirectory, MemoryDirectorySession, eligible_user
from tests.fakes.ports import START, MemoryPorts, memory_settings

LYON, OSLO = "lyon@contoso.com", "oslo@contoso.com"
ROSTER = ("IPEI,UPN,Display name,Site,Install date,Account type\n"
          f"0DEADBE001,{LYON},Lyon User,Lyon,2026-03-17,personal\n"
          f"0DEADBE002,{OSLO},Oslo User,Oslo,2026-03-17,personal\n")
HELD = "oslo-pass"


class HeldStore(MemoryStateStore):
    """The in-memory store, holding the Oslo pass at its device read until `go` is set: by then the
    Lyon pass has run its pre-flight and finished, so a shared `last_preflight` would be Lyon's."""

    def __init__(self) -> None:
        super().__init__()
        self.go = threading.Event()

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        if table == DEVICES_TABLE and threading.current_thread().name == HELD:
            assert self.go.wait(30), "the Lyon pass did not finish"
        return super().query(table, partition_key, where)


def _service(snapshots: MemorySnapshots | None = None) -> tuple[MemoryPorts, HeldStore, Rollout]:
    directory = MemoryDirectorySession(MemoryDirectory([eligible_user(LYON, "u-1"), eligible_user(OSLO, "u-2")]))
    store = HeldStore()
    ports = MemoryPorts(memory_settings(), store=store, directory=directory, config_snapshots=snapshots)
    rollout = Rollout(ports)
    assert rollout.import_file(ROSTER.encode(), "fleet.csv", actor="admin", correlation_id="imp").import_id
    return ports, store, rollout


def _report(ports: MemoryPorts, correlation: str) -> dict[str, Any]:
    [path] = [p for p in ports.artifacts.list("reports/") if p.endswith(f"-{correlation}.json")]
    body: dict[str, Any] = json.loads(ports.artifacts.get(path) or b"{}")
    return body


def _at_once(rollout: Rollout, store: HeldStore) -> None:
    """The Lyon pass (its user is due) and the Oslo pass (nobody due) on one service, Oslo held."""
    outcomes: dict[str, PassOutcome] = {}

    def oslo() -> None:
        outcomes["oslo"] = rollout.run_pass(correlation_id="oslo", sites=["Oslo"])

    held = threading.Thread(target=oslo, name=HELD)
    held.start()
    outcomes["lyon"] = rollout.run_pass(correlation_id="lyon", sites=["Lyon"])
    store.go.set()
    held.join(30)
    assert outcomes["lyon"].ran and outcomes["oslo"].ran


def test_a_pass_that_asked_nobody_names_no_other_pass_s_policy_source() -> None:
    ports, store, rollout = _service()
    store.go.set()
    assert rollout.run_pass(correlation_id="first", sites=["Oslo"]).ran  # Oslo's user is now eligible
    assert "policySource" in _report(ports, "first")
    store.go.clear()
    _at_once(rollout, store)
    assert "snapshot" not in _report(ports, "lyon")["policySource"], "the catalogue judged Lyon's user"
    assert "policySource" not in _report(ports, "oslo"), "Oslo asked nobody: no policy source judged it"


def test_refreshing_policies_is_asked_for_one_pass_only() -> None:
    config = TenantConfiguration(START, calling_policies=(CallingPolicySettings(SIP_POLICY, True, "Enabled"),))
    snapshots = MemorySnapshots(config, lambda: START)
    _, store, rollout = _service(snapshots)
    store.go.set()
    rollout.run_pass(correlation_id="p1", check_all_users=True)
    rollout.run_pass(correlation_id="p2", check_all_users=True, refresh_policies=True)
    assert snapshots.created == 2, "the refreshing pass took a new snapshot"
    rollout.run_pass(correlation_id="p3", check_all_users=True)
    assert snapshots.created == 2, "the next pass reads the cached snapshot again"
