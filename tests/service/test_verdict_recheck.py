"""A pass asks Graph again only about users it has reason to: never checked; not eligible, last
checked VERDICT_RECHECK_HOURS ago and with a handset whose install window is near (a day before it
opens until it closes); or waiting for a calling policy the ledger says has taken effect since.
Eligible users are not asked again; a forced check asks everyone."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.domain.eligibility.pending import PendingPolicies, PendingPolicy
from teams_sip.errors import ConfigError
from teams_sip.service.policy_ledger import StoreLedger
from teams_sip.service.rollout import Rollout
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

ROSTER = (
    "IPEI,UPN,Display name,Site,Install date,Account type\n"
    "0DEADBEEF4,anna@contoso.com,Anna,Lyon Plant,2026-03-17,personal\n"
    "03717C0E0A,cleo@contoso.com,Cleo,Lyon Plant,2026-03-17,personal\n"
)
SITES = "name,region,time zone,contacts,bulk sign-in\nLyon Plant,EMEA,Europe/Paris,it-lyon@contoso.com,no\n"
USERS = [("anna@contoso.com", "Anna", "eligible"), ("cleo@contoso.com", "Cleo", "unlicensed")]
START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
NEAR = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # a day before Lyon's window opens on the 17th at 07:00 CET
CLOSES = datetime(2026, 3, 18, 23, 0, tzinfo=UTC)  # local midnight after the install day plus one


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[Any, Rollout, ManualClock]]:
    clock = ManualClock(START)
    (tmp_path / "sites.csv").write_text(SITES)
    with SimulatedTenant.start(scenario_for_users(USERS), clock=clock) as sim:
        values = settings_values(sim) | {"OUTPUT_DIR": str(tmp_path / "out"), "SITES_FILE": str(tmp_path / "sites.csv"),
                                         "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01", "VERDICT_RECHECK_HOURS": "6"}
        wiring = build_wiring(settings_from_values(values), clock=clock, store=MemoryStateStore())
        rollout = Rollout(wiring)
        assert rollout.import_file(ROSTER.encode(), "lyon.csv", actor="admin", correlation_id="t").import_id
        try:
            yield sim, rollout, clock
        finally:
            wiring.close()


def _checked(rollout: Rollout) -> dict[str, datetime]:
    return {upn: v.checked_at for upn, v in rollout.verdicts.all().items()}


def test_not_eligible_users_are_asked_again_only_after_the_interval(world: tuple[Any, Rollout, ManualClock]) -> None:
    _sim, rollout, clock = world
    rows = rollout.roster.current()
    assert rollout.refresh_verdicts(rows) == 2
    assert rollout.verdicts.all()["cleo@contoso.com"].verdict.value == "blocked"
    assert rollout.due_for_check(rows) == set()

    clock.set(NEAR - timedelta(minutes=1))  # days later, but the install is still more than a day away
    assert rollout.run_pass().ran
    assert _checked(rollout) == {"anna@contoso.com": START, "cleo@contoso.com": START}, "nobody asked again yet"

    clock.set(NEAR)
    assert rollout.due_for_check(rows) == {("cleo@contoso.com", "personal")}, "the eligible user is never re-asked"
    assert rollout.run_pass().ran
    assert _checked(rollout) == {"anna@contoso.com": START, "cleo@contoso.com": NEAR}

    clock.advance(timedelta(hours=5, minutes=59))
    assert rollout.due_for_check(rows) == set(), "not before the interval"
    clock.advance(timedelta(minutes=1))
    assert rollout.due_for_check(rows) == {("cleo@contoso.com", "personal")}, "every interval while the window is near"

    assert rollout.refresh_verdicts(rows, force=True) == 2, "a forced check asks everyone"


def test_a_closed_window_stops_the_rechecks_and_an_undated_row_keeps_them(
        world: tuple[Any, Rollout, ManualClock]) -> None:
    _sim, rollout, clock = world
    rows = rollout.roster.current()
    rollout.refresh_verdicts(rows)
    clock.set(START + timedelta(hours=6))
    undated = [replace(r, install_date=None) for r in rows]
    assert rollout.due_for_check(undated) == {("cleo@contoso.com", "personal")}, "no date: its window may be any day"
    unplaced = [replace(r, site="Nowhere", time_zone="Not/AZone") for r in rows]
    assert rollout.due_for_check(unplaced) == {("cleo@contoso.com", "personal")}, "no usable window: asked as before"

    clock.set(CLOSES - timedelta(seconds=1))
    assert rollout.due_for_check(rows) == {("cleo@contoso.com", "personal")}
    clock.set(CLOSES)  # the window closed: the handset needs a new install date before anything can change
    assert rollout.due_for_check(rows) == set()


def test_a_policy_that_has_taken_effect_is_checked_at_once(world: tuple[Any, Rollout, ManualClock]) -> None:
    _sim, rollout, clock = world
    rows = rollout.roster.current()
    rollout.refresh_verdicts(rows)
    assigned = START - timedelta(hours=23)  # Teams may take 24 hours: effective an hour after the check
    StoreLedger(rollout.ports.store).save(PendingPolicies([PendingPolicy(
        "Cleo@contoso.com", "user-cleo", "TeamsCallingPolicy", "SIP devices", "tag:sip", assigned)]))

    clock.advance(timedelta(minutes=59))
    assert rollout.due_for_check(rows) == set()
    clock.advance(timedelta(minutes=1))
    assert rollout.due_for_check(rows) == {("cleo@contoso.com", "personal")}
    rollout.refresh_verdicts(rows)
    assert rollout.due_for_check(rows) == set(), "checked after the policy took effect: not again"


def test_a_changed_account_type_is_checked_again(world: tuple[Any, Rollout, ManualClock]) -> None:
    _sim, rollout, _clock = world
    rows = rollout.roster.current()
    rollout.refresh_verdicts(rows)
    moved = [r if r.upn != "anna@contoso.com" else replace(r, account_type="common-area") for r in rows]
    assert rollout.due_for_check(moved) == {("anna@contoso.com", "common-area")}


@pytest.mark.parametrize("value", ["-1", "soon", "1000"])
def test_the_interval_setting_is_checked(value: str) -> None:
    values = {"TENANT_ID": "00000000-0000-0000-0000-000000000001", "VERDICT_RECHECK_HOURS": value}
    with pytest.raises(ConfigError, match="VERDICT_RECHECK_HOURS"):
        settings_from_values(values)


def test_a_user_fixed_days_ahead_gets_the_handset_on_the_day(world: tuple[Any, Rollout, ManualClock]) -> None:
    """The promise behind re-checking only near the window: an admin's fix still reaches the handset."""
    sim, rollout, clock = world
    assert rollout.run_pass().ran
    cleo_device = "0003717C0E0A"

    def state() -> str:
        return next(d.record.state.value for d in rollout.devices.all() if d.record.hardware_id == cleo_device)

    assert state() == "blocked"
    clock.set(datetime(2026, 3, 14, 9, 0, tzinfo=UTC))  # the admin licenses Cleo and gives her a number
    with sim.world.lock:
        uid = sim.world.by_upn["cleo@contoso.com"]
        sim.world.users[uid] = replace(sim.world.users[uid], licenses=("SPE_E5", "MCOPSTN1"), phone_number="+46801999")
    assert rollout.run_pass().ran
    assert state() == "blocked", "three days ahead: not asked yet"
    clock.set(NEAR)
    assert rollout.run_pass().ran
    assert rollout.verdicts.all()["cleo@contoso.com"].verdict.value == "eligible"
    assert state() == "registered", "a day ahead: registered before the technician arrives"
    clock.set(datetime(2026, 3, 17, 6, 0, tzinfo=UTC))  # 07:00 in Lyon
    assert rollout.run_pass().ran
    assert state() == "code_issued"
