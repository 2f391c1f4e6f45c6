"""A whole rollout on the simulated tenant: import, pre-flight, registration, codes only inside the
install window, a technician dialling, a user signing in: through the real adapters over HTTPS."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.rollout import Rollout
from teams_sip.service.worksheet_delivery import worksheet_dir
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

ROSTER = (
    "IPEI,UPN,Display name,Site,Install date,Account type\n"
    "0DEADBEEF4,anna@contoso.com,Anna,Lyon Plant,2026-03-17,personal\n"
    "0004D5F980,ben@contoso.com,Ben,Lyon Plant,2026-03-17,personal\n"
    "03717C0E0A,cleo@contoso.com,Cleo,Lyon Plant,2026-03-17,personal\n"
    "0000312FD1,lobby@contoso.com,Lobby phone,Lyon Plant,2026-03-17,common-area\n"
)
SITES = "name,region,time zone,contacts,bulk sign-in\nLyon Plant,EMEA,Europe/Paris,it-lyon@contoso.com,yes\n"
USERS = [("anna@contoso.com", "Anna", "eligible"), ("ben@contoso.com", "Ben", "eligible"),
         ("cleo@contoso.com", "Cleo", "unlicensed"), ("lobby@contoso.com", "Lobby phone", "common_area")]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Any, Rollout]]:
    clock = ManualClock(datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    (tmp_path / "sites.csv").write_text(SITES)
    with SimulatedTenant.start(scenario_for_users(USERS), clock=clock) as sim:
        values = settings_values(sim) | {"OUTPUT_DIR": str(tmp_path / "out"), "SITES_FILE": str(tmp_path / "sites.csv"),
                                         "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01"}
        wiring = build_wiring(settings_from_values(values), clock=clock, store=MemoryStateStore())
        try:
            yield sim, Rollout(wiring)
        finally:
            wiring.close()


def _states(rollout: Rollout) -> dict[str, DeviceState]:
    return {d.record.hardware_id: d.record.state for d in rollout.devices.all()}


def _codes(rollout: Rollout) -> dict[str, str]:
    raw = rollout.ports.artifacts.get(f"{worksheet_dir('Lyon Plant', datetime(2026, 3, 17).date())}/lines.json")
    return {line["hardware_id"]: line["code"] for line in json.loads(raw or b"[]")}


def test_rollout_from_import_to_signed_in(world: tuple[Any, Rollout]) -> None:
    sim, rollout = world
    outcome = rollout.import_file(ROSTER.encode(), "lyon.csv", actor="admin", correlation_id="t1")
    assert outcome.import_id is not None

    first = rollout.run_pass()
    assert first.ran and first.execution is not None
    assert _states(rollout) == {"000DEADBEEF4": DeviceState.REGISTERED, "000004D5F980": DeviceState.REGISTERED,
                                "0003717C0E0A": DeviceState.BLOCKED, "000000312FD1": DeviceState.REGISTERED}
    assert not first.execution.issued, "no code before the install window opens"

    sim.clock.set(datetime(2026, 3, 17, 5, 59, tzinfo=UTC))  # 06:59 in Lyon: still closed
    assert not rollout.run_pass().execution.issued  # type: ignore[union-attr]
    sim.clock.set(datetime(2026, 3, 17, 6, 0, tzinfo=UTC))  # 07:00 in Lyon: open
    opened = rollout.run_pass()
    assert opened.execution is not None and len(opened.execution.issued) == 3
    codes = _codes(rollout)
    assert set(codes) == {"000DEADBEEF4", "000004D5F980", "000000312FD1"}
    sheet = rollout.ports.artifacts.get(f"{worksheet_dir('Lyon Plant', datetime(2026, 3, 17).date())}/worksheet.csv")
    assert sheet is not None and f"*55*{codes['000DEADBEEF4']}".encode() in sheet

    sim.dial_code("000DEADBEEF4", codes["000DEADBEEF4"])
    sim.dial_code("000000312FD1", codes["000000312FD1"])
    activated = rollout.run_pass()
    assert _states(rollout)["000DEADBEEF4"] is DeviceState.ACTIVATED
    outbox = [rollout.ports.artifacts.get(p) or b"" for p in rollout.ports.artifacts.list("outbox/")]
    assert any(b"anna@contoso.com" in mail and b"aka.ms/siplogin" in mail for mail in outbox)
    assert any("batch" in line.lower() for line in activated.signin)
    assert [b["Region"] for b in sim.bulk_batches()] == ["EMEA"]
    sim.sign_in("000DEADBEEF4", "anna@contoso.com")
    sim.clock.advance(timedelta(minutes=10))  # the bulk sign-in batch completes
    rollout.run_pass()
    rollout.run_pass()
    assert _states(rollout)["000DEADBEEF4"] is DeviceState.SIGNED_IN
    assert _states(rollout)["000000312FD1"] is DeviceState.SIGNED_IN

    sim.clock.advance(timedelta(hours=24, minutes=1))  # Ben's code lapsed unused, window still open
    renewed = rollout.run_pass()
    assert renewed.execution is not None and [c.hardware_id for c in renewed.execution.issued] == ["000004D5F980"]
    assert _codes(rollout)["000004D5F980"] != codes["000004D5F980"]
    report = json.loads(rollout.ports.artifacts.get("reports/latest.json") or b"{}")
    assert report["by_state"] == {"blocked": 1, "code_issued": 1, "signed_in": 2}
    assert report["requests"]["sent"] > 0
    assert all(code not in json.dumps(report) for code in codes.values())
