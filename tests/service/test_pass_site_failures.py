"""Issue 24, item 4, through a whole pass on the simulated tenant: when one site's worksheet cannot be
written, the other sites' codes still reach their worksheets and settle, and the failure is reported
for the handsets of that site only."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
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

ROSTER = ("IPEI,UPN,Site,Install date\n0DEADBEEF4,anna@contoso.com,Lyon Plant,2026-03-17\n"
          "0004D5F980,ben@contoso.com,Lyon Plant,2026-03-17\n03717C0E0A,cleo@contoso.com,Oslo Office,2026-03-17\n")
SITES = ("name,region,time zone,contacts\nLyon Plant,EMEA,Europe/Paris,it-lyon@contoso.com\n"
         "Oslo Office,EMEA,Europe/Oslo,it-oslo@contoso.com\n")
USERS = [("anna@contoso.com", "Anna", "eligible"), ("ben@contoso.com", "Ben", "eligible"),
         ("cleo@contoso.com", "Cleo", "eligible")]
DAY = date(2026, 3, 17)
ANNA, BEN, CLEO = "000DEADBEEF4", "000004D5F980", "0003717C0E0A"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Any, Rollout, Path]]:
    clock = ManualClock(datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    (tmp_path / "sites.csv").write_text(SITES)
    out = tmp_path / "out"
    with SimulatedTenant.start(scenario_for_users(USERS), clock=clock) as sim:
        values = settings_values(sim) | {"OUTPUT_DIR": str(out), "SITES_FILE": str(tmp_path / "sites.csv"),
                                         "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01"}
        wiring = build_wiring(settings_from_values(values), clock=clock, store=MemoryStateStore())
        try:
            yield sim, Rollout(wiring), out
        finally:
            wiring.close()


def test_a_site_whose_worksheet_fails_does_not_stop_the_others(world: tuple[Any, Rollout, Path]) -> None:
    sim, rollout, out = world
    assert rollout.import_file(ROSTER.encode(), "r.csv", actor="admin", correlation_id="t").import_id
    assert rollout.run_pass(actor="t").ran
    blocked = out / worksheet_dir("Lyon Plant", DAY)
    blocked.parent.mkdir(parents=True)
    blocked.write_text("a file where Lyon's worksheet folder should be: every write there fails")
    sim.clock.set(datetime(2026, 3, 17, 6, 0, tzinfo=UTC))  # 07:00 in Lyon and Oslo: codes are due
    outcome = rollout.run_pass(actor="t")
    assert outcome.ran and outcome.execution is not None
    oslo = json.loads((out / worksheet_dir("Oslo Office", DAY) / "lines.json").read_text())
    assert [line["hardware_id"] for line in oslo] == [CLEO]
    failed = dict(outcome.execution.failures)
    assert set(failed) == {ANNA, BEN} and all("Lyon Plant" in reason for reason in failed.values())
    states = {d.record.hardware_id: d.record.state for d in rollout.devices.all()}
    assert states[CLEO] is DeviceState.CODE_ISSUED
