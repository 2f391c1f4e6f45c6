"""Assisted-mode passes against a tenant whose SIP device inventory answers as documented, fails or
vanishes: the pass never stops, says once why, and changes no handset's state for it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.code_import import import_codes
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import Handset, World, handsets, records, roster_csv, world

LIST = "GET /beta/teamwork/devices"
UNAVAILABLE = "SIP device inventory unavailable: "


@contextmanager
def assisted(tmp: Path, fleet: list[Handset], **extra: str) -> Iterator[tuple[World, Rollout]]:
    with world(tmp, fleet, mode="assisted", extra={"HTTP_MAX_RETRIES": "1", **extra}) as w:
        rollout = Rollout(w.wiring(MemoryStateStore()))
        try:
            yield w, rollout
        finally:
            rollout.ports.close()


def _signed_in_in_teams(w: World, items: list[Handset]) -> None:
    """The admin uploaded them, technicians dialled, users signed in (straight on the simulator)."""
    with w.sim.world.lock:
        now, registry = w.clock.now(), w.sim.world.devices
        for h in items:
            registry.register(h.hardware_id, h.site, now)
            device = registry.devices[h.hardware_id]
            device.state, device.activated_at, device.online, device.last_contact = "waitingForSignIn", now, True, now
    for h in items:
        w.sim.sign_in(h.hardware_id, h.upn)


def _states(rollout: Rollout) -> dict[str, DeviceState]:
    return {h: r.state for h, r in records(rollout).items()}


def _onboarded(w: World, rollout: Rollout, items: list[Handset]) -> None:
    rollout.import_file(roster_csv(items), "roster.csv", actor="admin", correlation_id="imp")
    assert rollout.run_pass().ran
    _signed_in_in_teams(w, items)
    w.clock.advance(timedelta(minutes=15))
    assert rollout.run_pass().ran
    assert set(_states(rollout).values()) == {DeviceState.SIGNED_IN}


def _latest_notes(rollout: Rollout) -> list[str]:
    return list(json.loads(rollout.ports.artifacts.get("reports/latest.json") or b"{}")["notes"])


def test_relative_next_links_prefixed_macs_and_pascal_case_in_a_real_pass(tmp_path: Path) -> None:
    fleet = handsets(55)
    with assisted(tmp_path, fleet) as (w, rollout):
        w.sim.set_teamwork(enum_case="pascal", mac_prefix="LAN:")  # 'Healthy', 'LAN:00-01-...'
        w.sim.reset_stats()
        _onboarded(w, rollout, fleet)  # 55 signed in: pages of 50 and 5, the second by a relative link
        assert w.sim.stats()["requests"][LIST] == 3  # an empty page first, then pages of 50 and 5
        assert _latest_notes(rollout) == []


def _admin_exports_codes(w: World) -> bytes:
    artifacts, wanted = FolderArtifactStore(w.folder), set()
    for path in artifacts.list("outbox/"):
        if "codes-needed" in path and path.endswith(".csv"):
            wanted |= {row["Hardware ID"].replace("-", "") for row in
                       csv.DictReader(io.StringIO((artifacts.get(path) or b"").decode("utf-8-sig")))}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["MAC address", "Verification code", "Expiration time"])
    with w.sim.world.lock:
        for hid in sorted(wanted):
            w.sim.world.devices.register(hid, "", w.clock.now())
            code, expires = w.sim.world.devices.issue_code(hid, w.clock.now())
            writer.writerow(["-".join(hid[i:i + 2] for i in range(0, 12, 2)), code.reveal(), expires.isoformat()])
    return out.getvalue().encode()


@pytest.mark.parametrize(("how", "said"), [("retired", "answered 404"), ("gone", "answered 410"),
                                           ("failing", "answered 500"), ("slow", "could not be reached"),
                                           ("forbidden", "TeamworkDevice.Read.All")])
def test_a_failed_listing_never_stops_a_pass(tmp_path: Path, how: str, said: str) -> None:
    fleet = handsets(6)
    old, new = fleet[:3], fleet[3:]
    with assisted(tmp_path, fleet, HTTP_TIMEOUT_SECONDS="0.3") as (w, rollout):
        _onboarded(w, rollout, old)
        if how == "forbidden":
            w.sim.set_app_roles(["User.Read.All", "Mail.Send", "TeamsUserConfiguration.Read.All"])
        else:
            w.sim.set_teamwork(listing=how, slow_seconds=1.0)
        rollout.import_file(roster_csv(fleet), "roster.csv", actor="admin", correlation_id="imp2")
        registered = rollout.run_pass()
        assert registered.execution is not None and sorted(registered.execution.registered) == sorted(
            h.hardware_id for h in new)
        w.open_day(new[0].day)
        asked = rollout.run_pass()
        assert asked.execution is not None and sorted(asked.execution.awaiting_admin) == sorted(
            h.hardware_id for h in new)
        outcome = import_codes(rollout, _admin_exports_codes(w), "codes.csv", actor="admin", correlation_id="c")
        assert outcome.settled == len(new)
        final = rollout.run_pass()
        assert final.report is not None
        states = _states(rollout)
        assert {states[h.hardware_id] for h in old} == {DeviceState.SIGNED_IN}  # nothing concluded from silence
        assert {states[h.hardware_id] for h in new} == {DeviceState.CODE_ISSUED}
        assert w.worksheet_lines(), "the worksheets were written"
        outbox = list(FolderArtifactStore(w.folder).list("outbox/"))
        assert any("worksheet" in p for p in outbox) and any("admin-task" in p for p in outbox)
        notes = [n for n in final.report.notes if n.startswith(UNAVAILABLE)]
        assert len(notes) == 1 and said in notes[0], final.report.notes
        assert final.report.to_text().count(UNAVAILABLE) == 1
        assert [n for n in _latest_notes(rollout) if not n.startswith("inventory: ")] == notes
        assert any(n.startswith("inventory: teamwork devices unavailable since ") for n in final.report.notes)
        assert not final.report.changes or all(c.hardware_id not in {h.hardware_id for h in old}
                                                for c in final.report.changes)


def test_an_empty_listing_makes_nothing_stale(tmp_path: Path) -> None:
    fleet = handsets(4)
    with assisted(tmp_path, fleet) as (w, rollout):
        _onboarded(w, rollout, fleet)
        w.sim.set_teamwork(listing="empty")
        for _ in range(3):
            w.clock.advance(timedelta(days=16))  # 48 days of a 200 with no devices
            outcome = rollout.run_pass()
        assert set(_states(rollout).values()) == {DeviceState.SIGNED_IN}
        assert outcome.report is not None and "Teams listed no SIP devices" in outcome.report.notes[0]


def test_the_off_setting_never_asks_the_inventory(tmp_path: Path) -> None:
    fleet = handsets(3)
    with assisted(tmp_path, fleet, TEAMWORK_DEVICES="off") as (w, rollout):
        w.sim.reset_stats()
        rollout.import_file(roster_csv(fleet), "roster.csv", actor="admin", correlation_id="imp")
        first = rollout.run_pass()
        assert first.execution is not None and len(first.execution.registered) == 3
        _signed_in_in_teams(w, fleet)
        w.clock.advance(timedelta(days=40))
        second = rollout.run_pass()
        assert LIST not in w.sim.stats()["requests"]
        assert set(_states(rollout).values()) == {DeviceState.REGISTERED}
        assert second.report is not None and second.report.notes == (UNAVAILABLE + "TEAMWORK_DEVICES is off, so it "
                                                                       "was not read; every handset keeps its state",)
