"""Assisted mode: the pass asks the admin for codes; the uploaded TAC export settles exactly the rows
that match a requested code, and bad rows change nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teams_sip.domain.lifecycle.records import IntentKind
from teams_sip.domain.lifecycle.states import DeviceState
from tests.functions.support import ANNA, BEN, CLEO, LYON_OPEN, body_of, call, snapshot, upload, world


def _codes(text: str, name: str = "codes.csv") -> tuple[int, Any]:
    response = call("post_codes", "POST", "/api/codes", body=text.encode(), params={"filename": name},
                    headers={"content-type": "text/csv"})
    return response.status_code, body_of(response)


def test_code_export_settles_requested_devices_only(tmp_path: Path) -> None:
    with world(tmp_path, mode="assisted") as w:
        upload()
        call("run_now", "POST", "/api/run")
        w.clock.set(LYON_OPEN)
        call("run_now", "POST", "/api/run")
        waiting = {d.record.hardware_id: d.record for d in w.rollout.devices.all()}
        assert {h for h, r in waiting.items() if r.pending and r.pending.kind is IntentKind.ISSUE_CODE} == {ANNA, BEN}

        before = snapshot(w)["devices"]
        status, refused = _codes("MAC id,Verification code\n00-03-71-7C-0E-0A,12345678\n00-00-00-00-00-99,1111\n")
        assert status == 400 and refused["summary"] == {"settled": 0, "rejected": 2}
        assert snapshot(w)["devices"] == before

        status, body = _codes("MAC id,Verification code,Expires\n"
                              "00-0D-EA-DB-EE-F4,48151623,2026-03-18T06:00:00Z\n"
                              "00-00-04-D5-F9-80,??,2026-03-18T06:00:00Z\n"
                              f"{CLEO},12345678,2026-03-18T06:00:00Z\n")
        assert status == 200
        rows = {r["row"]: r for r in body["rows"]}
        assert rows[2]["status"] == "settled" and rows[3]["status"] == "rejected"
        assert "no code was requested" in rows[4]["message"] and "48151623" not in str(body)
        anna, ben = w.rollout.devices.get(ANNA), w.rollout.devices.get(BEN)
        assert anna is not None and anna.record.state is DeviceState.CODE_ISSUED and anna.record.pending is None
        assert ben is not None and ben.record == before[BEN]
        sheet = call("get_worksheet", route={"site": "Lyon Plant", "day": "2026-03-17"})
        assert b"*55*48151623" in sheet.get_body()
        uploads = [e.details for e in snapshot(w)["audit"] if e.action == "codes-import"]
        assert sorted(u["settled"] for u in uploads) == [0, 1] and all(u["rejected"] == 2 for u in uploads)


def test_an_export_without_expiries_lapses_24_hours_after_teams_sip_first_asked(tmp_path: Path) -> None:
    """Asked at 08:00 Lyon time (asked again at 11:00), uploaded at 15:00: the code was generated after
    08:00, so it lapses at 08:00 the next day at the earliest, not 24 hours after the upload."""
    with world(tmp_path, mode="assisted") as w:
        upload()
        call("run_now", "POST", "/api/run")
        w.clock.set(datetime(2026, 3, 17, 7, 0, tzinfo=UTC))  # 08:00 CET
        call("run_now", "POST", "/api/run")
        w.clock.set(datetime(2026, 3, 17, 10, 0, tzinfo=UTC))  # a later pass asks again
        call("run_now", "POST", "/api/run")
        w.clock.set(datetime(2026, 3, 17, 14, 0, tzinfo=UTC))  # 15:00 CET: the export arrives
        status, body = _codes("MAC id,Verification code\n00-0D-EA-DB-EE-F4,48151623\n")
        assert status == 200 and body["summary"]["settled"] == 1
        anna = w.rollout.devices.get(ANNA)
        assert anna is not None and anna.record.code_expires_at == datetime(2026, 3, 18, 7, 0, tzinfo=UTC)
        for fmt in ("csv", "html"):
            sheet = call("get_worksheet", params={"format": fmt}, route={"site": "Lyon Plant", "day": "2026-03-17"})
            assert "2026-03-18 08:00 CET (generated after 08:00)" in sheet.get_body().decode("utf-8-sig")


def test_an_export_without_expiries_more_than_24_hours_after_the_ask_is_refused_as_possibly_lapsed(
        tmp_path: Path) -> None:
    with world(tmp_path, mode="assisted") as w:
        upload()
        call("run_now", "POST", "/api/run")
        w.clock.set(datetime(2026, 3, 17, 7, 0, tzinfo=UTC))
        call("run_now", "POST", "/api/run")
        w.clock.set(datetime(2026, 3, 18, 7, 30, tzinfo=UTC))  # 24.5 hours after the ask
        status, body = _codes("MAC id,Verification code\n00-0D-EA-DB-EE-F4,48151623\n")
        assert status == 400 and body["summary"] == {"settled": 0, "rejected": 1}
        assert "asked for this code more than 24 hours ago" in body["rows"][0]["message"]
        anna = w.rollout.devices.get(ANNA)
        assert anna is not None and anna.record.state is not DeviceState.CODE_ISSUED
