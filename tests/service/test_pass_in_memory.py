"""A reconciliation pass on in-memory ports only (tests/fakes/): no server, no process, so it runs in
`make check`. The same use cases as on the simulated tenant, judged by what reached each port."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import pytest

from teams_sip.service.ports.provisioning import DeviceRegistration, RegisterResult
from teams_sip.service.rollout import Rollout
from tests.fakes.directory import MemoryDirectory, MemoryDirectorySession, eligible_user
from tests.fakes.ports import MemoryPorts, memory_settings

SITES = ("Lyon Plant", "Oslo Depot")
ROWS = [(f"0DEADBE{n:03X}", f"user{n}@contoso.com", SITES[n % 2]) for n in range(8)]
BLOCKED = "user7@contoso.com"  # not in the directory: the pre-flight blocks it


@pytest.fixture
def ports() -> MemoryPorts:
    users = [eligible_user(upn, f"u-{n}") for n, (_ipei, upn, _site) in enumerate(ROWS) if upn != BLOCKED]
    return MemoryPorts(memory_settings(), directory=MemoryDirectorySession(MemoryDirectory(users)))


@pytest.fixture
def rollout(ports: MemoryPorts) -> Iterator[Rollout]:
    made = Rollout(ports)
    csv = "IPEI,UPN,Display name,Site,Install date,Account type\n" + "".join(
        f"{ipei},{upn},User,{site},2026-03-17,personal\n" for ipei, upn, site in ROWS)
    outcome = made.import_file(csv.encode(), "fleet.csv", actor="admin", correlation_id="imp")
    assert outcome.import_id is not None
    yield made


def _registered(ports: MemoryPorts) -> list[str]:
    return sorted(h for op, ids in (ports.api.calls if ports.api else []) if op == "register" for h in ids)


def test_a_pass_registers_every_eligible_handset_once(ports: MemoryPorts, rollout: Rollout) -> None:
    assert ports.directory.imported == [8], "the directory was told how many users the import named"
    outcome = rollout.run_pass(correlation_id="p1")
    assert outcome.ran and outcome.execution is not None
    eligible = sorted("00" + ipei for ipei, upn, _site in ROWS if upn != BLOCKED)
    assert _registered(ports) == eligible
    assert ports.directory.passes_started == 1, "the directory was told a pass started"
    assert sorted(ports.directory.memory.asked) == sorted(upn for _i, upn, _s in ROWS)

    again = rollout.run_pass(correlation_id="p2")
    assert again.ran and _registered(ports) == eligible, "nothing is registered twice"
    assert len(ports.directory.memory.asked) == len(ROWS), "nobody is due again within VERDICT_RECHECK_HOURS"
    assert ports.artifacts.get("reports/latest.json") is not None


def test_site_passes_at_once_on_one_service_each_do_their_own_site(ports: MemoryPorts, rollout: Rollout) -> None:
    assert ports.api is not None
    together = threading.Barrier(len(SITES))
    inner_register = ports.api.register

    def register_together(devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        together.wait(10)  # both passes are inside their Teams call at once
        return inner_register(devices)

    ports.api.register = register_together  # type: ignore[method-assign]
    outcome: dict[str, bool] = {}
    threads = [threading.Thread(target=lambda s=site: outcome.setdefault(
        s, rollout.run_pass(correlation_id=f"q-{s[:4]}", sites=[s]).ran)) for site in SITES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcome == dict.fromkeys(SITES, True)
    by_site = {site: sorted("00" + i for i, upn, s in ROWS if s == site and upn != BLOCKED) for site in SITES}
    calls = [sorted(ids) for op, ids in ports.api.calls if op == "register"]
    assert sorted(calls) == sorted(by_site.values()), "one register call per site, with that site's handsets"
