"""Assisted mode against the simulator with the teamwork listing retired and sign-in logs on: the
admin's uploads of the admin center's SIP device export are the complete listing (issue 20). Over 40
simulated days of site-by-site passes, a handset the exports no longer show goes stale 30 days
(signed in) / 14 days (signed out) after the export without it; one that keeps signing in does not,
and one a later export shows again is reset."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from pathlib import Path

from teams_sip.domain.lifecycle.evidence import Said
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.inventory_inbox import Inbox
from teams_sip.service.inventory_upload import upload_inventory
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import Handset, World, handsets, records
from tests.service.test_inventory_sources import _codes_out, _dial_and_sign_in
from tests.service.test_sip_inventory_pass import assisted

S = DeviceState
STEP = timedelta(hours=12)
SITE_DAYS = {timedelta(days=2), timedelta(days=2.5), timedelta(days=3)}


def _mac(h: Handset) -> bytes:
    return "-".join(h.hardware_id[i:i + 2] for i in range(0, 12, 2)).encode()


def _export_without(w: World, rollout: Rollout, gone: list[Handset]) -> int:
    """The admin exports the SIP device list and uploads it. `gone` are not in it (as after someone
    deleted them in the admin center: the simulator itself off-boards only after 30/14 silent days)."""
    lines = [line for line in w.sim.tac_export().split(b"\n") if not any(_mac(h) in line for h in gone)]
    upload = upload_inventory(rollout, b"\n".join(lines), "SIP devices.csv", actor="admin", correlation_id="x")
    assert upload.errors == []
    return upload.unlisted


def _stale_at(rollout: Rollout, h: Handset) -> list[datetime]:
    return [step.at for step in records(rollout)[h.hardware_id].history if step.to_state == S.STALE]


def test_handsets_the_exports_no_longer_show_go_stale_after_microsofts_days(tmp_path: Path) -> None:
    fleet = handsets(4)
    vanished, signed_out, keeps_signing_in, back = fleet
    sites = sorted({h.site for h in fleet})
    assert len(sites) > 1, "site-by-site passes each read the same exports"
    with assisted(tmp_path, fleet, SIGNIN_LOGS="on") as (w, rollout):
        w.sim.set_teamwork(listing="retired")
        _codes_out(w, rollout, fleet)
        w.clock.advance(timedelta(minutes=20))
        _dial_and_sign_in(w, fleet)
        w.sim.sign_out(signed_out.hardware_id)  # the simulator off-boards it 14 days later
        start, waiting = w.clock.now(), []
        first = second = start
        while w.clock.now() < start + timedelta(days=40):
            w.clock.advance(STEP)
            day = w.clock.now() - start
            if day == timedelta(days=2):
                first = w.clock.now()
                assert _export_without(w, rollout, [vanished, keeps_signing_in, back]) == 3
            if day == timedelta(days=16):
                second = w.clock.now()
                assert _export_without(w, rollout, [vanished, keeps_signing_in]) == 3  # signed_out is gone too
            if day.total_seconds() % (3 * 86400) == 0:
                w.sim.sign_in(keeps_signing_in.hardware_id, keeps_signing_in.upn)
            if day in SITE_DAYS:  # site passes read the same exports (they are slow: the log is throttled)
                for site in sites:
                    assert rollout.run_pass(sites=[site]).ran
                waiting.append(len(Inbox(rollout.ports.store).waiting(w.clock.now())))
            else:
                assert rollout.run_pass().ran
        states = {h.hardware_id: r.state for h, r in zip(fleet, [records(rollout)[h.hardware_id] for h in fleet],
                                                          strict=True)}
        assert [states[h.hardware_id] for h in fleet] == [S.STALE, S.STALE, S.SIGNED_IN, S.SIGNED_IN]
        assert all(b - a <= 1 for a, b in itertools.pairwise(waiting))  # site passes never multiply it
        [gone_at] = _stale_at(rollout, vanished)  # once, however many passes read the export
        assert first + timedelta(days=30) < gone_at <= first + timedelta(days=30) + STEP
        [out_at] = _stale_at(rollout, signed_out)
        assert second + timedelta(days=14) < out_at <= second + timedelta(days=14) + STEP
        assert "off-boarded after 14 days" in records(rollout)[signed_out.hardware_id].history[-1].cause
        assert _stale_at(rollout, keeps_signing_in) == [] and _stale_at(rollout, back) == []
        said = [(e.said, e.at) for e in records(rollout)[back.hardware_id].evidence if e.source.value == "admin_export"]
        assert (Said.UNLISTED, first) in said and (Said.SIGNED_IN, second) in said
