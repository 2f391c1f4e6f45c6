"""Assisted mode with the teamwork listing retired: handsets still reach their true state through the
Entra sign-in logs (read incrementally from a stored mark), and every source's health is reported."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest

from teams_sip.adapters.graph.signin_logs import MARK, MARKS_PARTITION, MARKS_TABLE
from teams_sip.domain.lifecycle.evidence import Said, Source
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.errors import InputError
from teams_sip.service.code_import import import_codes
from teams_sip.service.inventory_inbox import Inbox
from teams_sip.service.inventory_upload import mark_handset, upload_inventory
from teams_sip.service.rollout import Rollout
from teams_sip.service.views import Views
from teams_sip.simulator.devices import DeviceActionError
from tests.reliability.harness import Handset, World, handsets, records, roster_csv
from tests.service.test_sip_inventory_pass import _admin_exports_codes, assisted

LOG = "GET /v1.0/auditLogs/signIns"


def _codes_out(w: World, rollout: Rollout, fleet: list[Handset]) -> None:
    """Registered by the admin, codes issued (assisted mode: the admin's export of codes)."""
    rollout.import_file(roster_csv(fleet), "roster.csv", actor="admin", correlation_id="imp")
    assert rollout.run_pass().ran
    w.open_day(fleet[0].day)
    assert rollout.run_pass().ran
    import_codes(rollout, _admin_exports_codes(w), "codes.csv", actor="admin", correlation_id="c")
    assert {r.state for r in records(rollout).values()} == {DeviceState.CODE_ISSUED}


def _dial_and_sign_in(w: World, items: list[Handset]) -> None:
    for h in items:
        with w.sim.world.lock:
            device = w.sim.world.devices.devices[h.hardware_id]
            device.state, device.activated_at, device.online = "waitingForSignIn", w.clock.now(), True
        w.sim.sign_in(h.hardware_id, h.upn)


def test_sign_in_logs_sign_handsets_in_when_the_teamwork_listing_is_retired(tmp_path: Path) -> None:
    fleet = handsets(4)
    with assisted(tmp_path, fleet, SIGNIN_LOGS="on") as (w, rollout):
        w.sim.set_teamwork(listing="retired")
        _codes_out(w, rollout, fleet)
        w.clock.advance(timedelta(minutes=20))
        _dial_and_sign_in(w, fleet[:3])
        w.clock.advance(timedelta(minutes=20))
        outcome = rollout.run_pass()
        states = {h: r.state for h, r in records(rollout).items()}
        assert [states[h.hardware_id] for h in fleet] == [DeviceState.SIGNED_IN] * 3 + [DeviceState.CODE_ISSUED]
        record = records(rollout)[fleet[0].hardware_id]
        assert "sign-in logs" in record.history[-1].cause
        assert [(e.source, e.said) for e in record.evidence] == [(Source.SIGNIN_LOGS, Said.SIGNED_IN)]
        assert outcome.report is not None
        line = next(n for n in outcome.report.notes if n.startswith("inventory: "))
        assert "teamwork devices unavailable since" in line and "sign-in logs current to" in line
        mark = rollout.ports.store.get(MARKS_TABLE, MARKS_PARTITION, MARK)
        assert mark is not None and mark.data["at"] <= w.clock.now().isoformat()
        w.sim.reset_stats()
        again = rollout.run_pass()
        assert again.report is not None and again.report.changes == ()
        assert w.sim.stats()["requests"][LOG] == 1


def test_a_refused_sign_in_is_shown_as_a_reason_and_moves_nothing(tmp_path: Path) -> None:
    fleet = handsets(2)
    with assisted(tmp_path, fleet, SIGNIN_LOGS="on") as (w, rollout):
        w.sim.set_teamwork(listing="retired")
        _codes_out(w, rollout, fleet)
        w.clock.advance(timedelta(minutes=20))
        _disable(w, fleet[0])
        with pytest.raises(DeviceActionError):
            _dial_and_sign_in(w, fleet[:1])
        w.clock.advance(timedelta(minutes=20))
        rollout.run_pass()
        record = records(rollout)[fleet[0].hardware_id]
        assert record.state == DeviceState.CODE_ISSUED
        failed = [e for e in record.evidence if e.said == Said.SIGN_IN_FAILED]
        assert len(failed) == 1 and failed[0].detail.startswith("50057: ")


def _disable(w: World, handset: Handset) -> None:
    """The account is disabled after the pre-flight found it eligible: its sign-in is refused."""
    with w.sim.world.lock:
        user = w.sim.world.find_user(handset.upn)
        assert user is not None
        w.sim.world.users[user.id] = dataclasses.replace(user, account_enabled=False)


def test_a_tenant_without_entra_premium_is_reported_and_the_pass_goes_on(tmp_path: Path) -> None:
    fleet = handsets(2)
    with assisted(tmp_path, fleet, SIGNIN_LOGS="on") as (w, rollout):
        w.sim.set_entra_premium(False)
        rollout.import_file(roster_csv(fleet), "roster.csv", actor="admin", correlation_id="imp")
        outcome = rollout.run_pass()
        assert outcome.ran and outcome.report is not None
        line = next(n for n in outcome.report.notes if n.startswith("inventory: "))
        assert "sign-in logs unavailable since" in line and "Entra ID P1 or P2" in line
        assert "teamwork devices current to" in line
        latest = json.loads(rollout.ports.artifacts.get("reports/latest.json") or b"{}")
        assert line in latest["notes"]


def test_the_admins_export_and_technicians_marks_settle_handsets_at_the_next_pass(tmp_path: Path) -> None:
    fleet = handsets(4)
    with assisted(tmp_path, fleet) as (w, rollout):
        w.sim.set_teamwork(listing="retired")
        _codes_out(w, rollout, fleet)
        w.clock.advance(timedelta(minutes=20))
        _dial_and_sign_in(w, fleet[:2])
        w.sim.sign_out(fleet[1].hardware_id)
        upload = upload_inventory(rollout, w.sim.tac_export(), "SIP devices.csv", actor="admin", correlation_id="u")
        assert upload.accepted == 2 and upload.errors == []
        mark_handset(rollout, fleet[2].ipei, "dialled", actor="tech@contoso.com", correlation_id="m")
        with pytest.raises(InputError, match="use 'dialled' or 'signed in'"):
            mark_handset(rollout, fleet[3].hardware_id, "done?", actor="tech", correlation_id="m")
        w.clock.advance(timedelta(minutes=20))
        rollout.run_pass()
        states = {h: r.state for h, r in records(rollout).items()}
        assert [states[h.hardware_id] for h in fleet] == [DeviceState.SIGNED_IN, DeviceState.ACTIVATED,
                                                          DeviceState.ACTIVATED, DeviceState.CODE_ISSUED]
        marked = records(rollout)[fleet[2].hardware_id]
        assert marked.evidence[0].source == Source.TECHNICIAN and "tech@contoso.com" in marked.evidence[0].detail
        assert "technician" in marked.history[-1].cause
        inbox = Inbox(rollout.ports.store)
        assert len(inbox.waiting(w.clock.now())) == 3  # kept a week for every pass; applied once
        again = rollout.run_pass().report
        assert again is not None and again.changes == ()
        assert inbox.waiting(w.clock.now() + timedelta(days=7)) == []  # then dropped
        shown = Views(rollout).device(fleet[0].hardware_id)["sources"]
        assert [(s["source"], s["said"], s["user"], s["by_person"]) for s in shown] == [
            ("admin center export", "signed_in", fleet[0].upn, False)]
        assert Views(rollout).device(fleet[2].hardware_id)["sources"][0]["by_person"] is True
        assert "teamwork devices unavailable since" in Views(rollout).summary()["inventory"]["line"]
        with pytest.raises(InputError, match="Headers found: 'Name'"):
            upload_inventory(rollout, b"Name\nx\n", "other.csv", actor="admin", correlation_id="u")


def test_a_site_pass_leaves_other_sites_evidence_waiting_for_their_own_pass(tmp_path: Path) -> None:
    fleet = handsets(4)
    with assisted(tmp_path, fleet) as (w, rollout):
        w.sim.set_teamwork(listing="retired")
        _codes_out(w, rollout, fleet)
        sites = {h.site for h in fleet}
        assert len(sites) > 1, "the fleet spans sites"
        for h in fleet:
            mark_handset(rollout, h.hardware_id, "signed in", actor="tech", correlation_id="m")
        first = fleet[0].site
        w.clock.advance(timedelta(minutes=5))
        rollout.run_pass(sites=[first])
        states = {h.hardware_id: records(rollout)[h.hardware_id].state for h in fleet}
        assert {states[h.hardware_id] for h in fleet if h.site == first} == {DeviceState.SIGNED_IN}
        assert {states[h.hardware_id] for h in fleet if h.site != first} == {DeviceState.CODE_ISSUED}
        rollout.run_pass(sites=sorted(sites - {first}))
        assert {r.state for r in records(rollout).values()} == {DeviceState.SIGNED_IN}
