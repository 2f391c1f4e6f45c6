"""Every HTTP function called as the host calls it, against a rollout on the simulated tenant."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from teams_sip.domain.site_keys import site_key
from teams_sip.service.worksheet_delivery import worksheet_dir
from teams_sip.simulator import DeviceActionError
from tests.functions.support import (
    ANNA,
    BEN,
    CLEO,
    LYON_OPEN,
    ROSTER,
    World,
    body_of,
    call,
    signed_in,
    snapshot,
    upload,
    world,
)


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    """Behind App Service authentication, as deployed: its principal headers are trusted."""
    with world(tmp_path, extra={"TRUST_PLATFORM_AUTH_HEADERS": "true"}) as made:
        yield made


def _run(headers: dict[str, str] | None = None) -> dict[str, object]:
    response = call("run_now", "POST", "/api/run", headers=headers)
    assert response.status_code == 200, response.get_body()
    result: dict[str, object] = body_of(response)
    return result


def test_import_then_devices_summary_and_history(w: World) -> None:
    response = upload(headers=signed_in("admin@contoso.com"))
    assert response.status_code == 202
    body = body_of(response)
    assert body["report"]["summary"]["accepted"] == 3 and body["import_id"]
    assert {r["hardware_id"] for r in body["report"]["rows"]} == {ANNA, BEN, CLEO}
    stored = body_of(call("get_import", path="/api/imports/x", route={"import_id": body["import_id"]}))
    assert stored["uploaded_by"] == "admin@contoso.com" and stored["report"]["summary"]["accepted"] == 3
    assert str(w.rollout.ports.settings.rollout.output_dir) not in json.dumps(stored)  # no server path
    assert "artefact" not in stored

    assert "Pass complete" in str(_run()["summary"])
    page = body_of(call("list_devices", path="/api/devices", params={"site": "Lyon Plant", "limit": "1"}))
    assert [d["hardware_id"] for d in page["devices"]] == [BEN] and page["next"] == BEN
    rest = body_of(call("list_devices", path="/api/devices", params={"site": "Lyon Plant", "page": page["next"]}))
    assert [d["hardware_id"] for d in rest["devices"]] == [ANNA] and rest["next"] is None
    by_state = body_of(call("list_devices", path="/api/devices", params={"state": "registered",
                                                                        "install_date": "2026-03-18"}))
    assert [(d["hardware_id"], d["dashed"], d["site"]) for d in by_state["devices"]] == [
        (CLEO, "00-03-71-7C-0E-0A", "Oslo Office")]

    detail = body_of(call("get_device", path="/api/devices/x", route={"hardware_id": "00-0D-EA-DB-EE-F4"}))
    assert detail["device"]["ipei_decimal"] == "57005 0782068 7" and detail["device"]["verdict"] == "eligible"
    assert [(h["from"], h["to"]) for h in detail["history"]] == [
        (None, "imported"), ("imported", "ready"), ("ready", "registered")]
    assert detail["history"][0]["at"] == "2026-03-13 10:00 CET"  # Lyon's local time, not UTC

    summary = body_of(call("summary", path="/api/summary"))
    assert summary["sites"] == [{"site": "Lyon Plant", "counts": {"registered": 2}},
                                {"site": "Oslo Office", "counts": {"registered": 1}}]
    assert summary["today"] == [] and summary["attention"] == []


def _codes(w: World) -> dict[str, str]:
    raw = w.rollout.ports.artifacts.get(f"{worksheet_dir('Lyon Plant', date(2026, 3, 17))}/lines.json")
    return {line["hardware_id"]: line["code"] for line in json.loads(raw or b"[]")}


def test_install_day_codes_worksheet_and_renewal(w: World) -> None:
    upload()
    _run()
    w.clock.set(LYON_OPEN)
    _run()
    today = body_of(call("summary", path="/api/summary"))["today"]
    assert today == [{"site": "Lyon Plant", "site_key": site_key("Lyon Plant"), "install_date": "2026-03-17",
                      "devices": 2, "codes_live": 2, "next_expiry_local": "2026-03-18 07:00 CET"}]
    by_key = call("get_worksheet", path="/api/worksheets/x/y",
                  route={"site": today[0]["site_key"], "day": "2026-03-17"})
    assert by_key.status_code == 200 and b"*55*" in by_key.get_body()
    csv = call("get_worksheet", path="/api/worksheets/x/y", route={"site": "Lyon Plant", "day": "2026-03-17"})
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Cache-Control"] == "no-store" and b"*55*" in csv.get_body()
    html = call("get_worksheet", path="/api/worksheets/x/y", headers={"accept": "text/html"},
                route={"site": "Lyon Plant", "day": "2026-03-17"})
    assert html.mimetype == "text/html" and b"<table" in html.get_body()
    old = w.rollout.devices.get(ANNA)
    assert old is not None
    old_code = _codes(w)[ANNA]

    live = call("renew_device_code", "POST", "/api/devices/x/renew-code", route={"hardware_id": ANNA})
    assert live.status_code == 409 and "force" in body_of(live)["error"]["message"]
    assert w.rollout.devices.get(ANNA) == old  # refused: nothing changed
    forced = call("renew_device_code", "POST", "/api/devices/x/renew-code", route={"hardware_id": ANNA},
                  body=b'{"force": true}',
                  headers={"content-type": "application/json", **signed_in("lead@contoso.com")})
    assert forced.status_code == 202 and body_of(forced)["status"] == "issued"
    after = w.rollout.devices.get(ANNA)
    assert after is not None and after.record.codes_issued == 2
    assert after.record.code_fingerprint != old.record.code_fingerprint
    new_code = _codes(w)[ANNA]
    assert new_code != old_code and set(_codes(w)) == {ANNA, BEN}  # the worksheet holds the new code only
    with pytest.raises(DeviceActionError):
        w.sim.dial_code(ANNA, old_code)  # Teams replaced the old code
    w.sim.dial_code(ANNA, new_code)
    renewals = [e for e in snapshot(w)["audit"] if e.action == "renew-code"]
    assert [(e.actor, e.target, e.details["replaced_live_code"]) for e in renewals] == [
        ("lead@contoso.com", ANNA, True)]
    assert all("*55*" not in json.dumps(e.details) for e in snapshot(w)["audit"])

    w.clock.advance(timedelta(days=2))  # the window has closed
    closed = call("renew_device_code", "POST", "/api/devices/x/renew-code", route={"hardware_id": BEN})
    assert closed.status_code == 409 and "install window" in body_of(closed)["error"]["message"]


def test_malformed_requests_change_nothing(w: World) -> None:
    upload()
    _run()
    before = snapshot(w)
    json_headers = {"content-type": "application/json"}
    cases = [
        (call("renew_device_code", "POST", "/x", route={"hardware_id": ANNA}, body=b"{nope",
              headers=json_headers), 400, "badJson"),
        (call("renew_device_code", "POST", "/x", route={"hardware_id": ANNA}, body=b"force",
              headers={"content-type": "text/plain"}), 415, "unsupportedMediaType"),
        (upload(b"\x89PNG\r\n", "photo.png", "image/png"), 415, "unsupportedMediaType"),
        (upload(b"x" * (1024 * 1024 + 1)), 413, "payloadTooLarge"),
        (call("get_device", route={"hardware_id": "00-00-00-00-00-01"}), 404, "notFoundError"),
        (call("get_device", route={"hardware_id": "not-a-device"}), 400, "inputError"),
        (call("renew_device_code", "POST", "/x", route={"hardware_id": "0000000000FF"}), 404, "notFoundError"),
        (call("get_worksheet", route={"site": "..", "day": "2026-03-17"}), 400, "badName"),
        (call("get_worksheet", route={"site": "..\\..\\etc", "day": "2026-03-17"}), 400, "badName"),
        (call("get_worksheet", route={"site": "Nowhere", "day": "2026-03-17"}), 404, "notFoundError"),
        (call("get_worksheet", route={"site": "Lyon Plant", "day": "2026-03-17"}), 404, "notFoundError"),
        (call("get_worksheet", route={"site": "Lyon Plant", "day": "17.03.2026"}), 400, "inputError"),
        (call("get_import", route={"import_id": "../../etc/passwd"}), 404, "notFoundError"),
        (call("list_devices", params={"state": "flying"}), 400, "inputError"),
        (call("list_devices", params={"limit": "-3"}), 400, "badLimit"),
        (call("static_asset", route={"name": "../__init__.py"}), 404, "notFoundError"),
        (call("index", route={"page": "secret.txt"}), 404, "notFoundError"),
    ]
    for response, status, code in cases:
        assert (response.status_code, body_of(response)["error"]["code"]) == (status, code), response.get_body()
        assert body_of(response)["error"]["requestId"] == response.headers["x-request-id"]
    assert snapshot(w) == before


def test_rejected_roster_is_400_with_rows_and_refused_file_is_400(w: World) -> None:
    bad = upload(b"IPEI,UPN,Site,Install date\nnot-an-id,nobody,Lyon Plant,2026-03-17\n")
    assert bad.status_code == 400
    report = body_of(bad)["report"]
    assert report["summary"]["accepted"] == 0 and report["rows"][0]["errors"]
    refused = upload(b"just,some,words\n1,2,3\n")
    assert refused.status_code == 400 and "columns" in body_of(refused)["error"]["message"]
    assert snapshot(w)["imports"] == [] and snapshot(w)["devices"] == {}


def test_multipart_xlsx_upload(w: World) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in ROSTER.splitlines():
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    boundary = "b0undary"
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../roster.xlsx\"\r\n"
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
    form += data.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    response = call("post_import", "POST", "/api/imports", body=form,
                    headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 202, response.get_body()
    assert body_of(response)["report"]["file"]["filename"] == "roster.xlsx"


def test_admin_group_is_required_when_configured(tmp_path: Path) -> None:
    group = "11111111-2222-3333-4444-555555555555"
    with world(tmp_path, extra={"ADMIN_GROUP_ID": group, "TRUST_PLATFORM_AUTH_HEADERS": "true"}) as w:
        denied = upload(headers=signed_in("someone@contoso.com"))
        assert denied.status_code == 403 and snapshot(w)["imports"] == []
        assert call("summary", headers=signed_in("someone@contoso.com")).status_code == 403
        allowed = upload(headers=signed_in("admin@contoso.com", (group,)))
        assert allowed.status_code == 202
        (entry,) = [e for e in snapshot(w)["audit"] if e.action == "import"]
        assert entry.actor == "admin@contoso.com"


def test_page_and_assets_are_served(w: World) -> None:
    page = call("index", route={})
    assert page.status_code == 200 and page.mimetype == "text/html" and b"api/summary" not in page.get_body()
    assert b"static/app.js" in page.get_body()
    script = call("static_asset", route={"name": "app.js"})
    assert script.status_code == 200 and script.mimetype == "text/javascript" and b"api/summary" in script.get_body()
    assert body_of(call("health"))["status"] == "ok"


def test_a_pass_can_ask_about_every_user_again(w: World) -> None:
    assert upload().status_code == 202
    _run()
    first = {upn: v.checked_at for upn, v in w.rollout.verdicts.all().items()}
    w.clock.advance(timedelta(hours=1))
    _run()
    assert {upn: v.checked_at for upn, v in w.rollout.verdicts.all().items()} == first, "eligible: not asked again"
    response = call("run_now", "POST", "/api/run", body=json.dumps({"checkAllUsers": True}).encode(),
                    headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert {v.checked_at for v in w.rollout.verdicts.all().values()} == {w.clock.now()}
    before = w.sim.stats()["totalRequests"]
    for body, status in ((b'{"checkAllUsers": "yes"}', 400), (b'{"everyone": true}', 400), (b"[1]", 400)):
        refused = call("run_now", "POST", "/api/run", body=body, headers={"content-type": "application/json"})
        assert refused.status_code == status, body
    assert call("run_now", "POST", "/api/run", body=b"x=1").status_code == 415
    assert w.sim.stats()["totalRequests"] == before, "refused: no pass ran, Teams was not asked"


def test_a_pass_can_take_a_new_policy_snapshot(w: World) -> None:
    assert upload().status_code == 202
    _run()
    w.clock.advance(timedelta(minutes=10))
    _run()
    created = w.sim.world.config_snapshots.created
    body = json.dumps({"checkAllUsers": True, "refreshPolicies": True}).encode()
    response = call("run_now", "POST", "/api/run", body=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert w.sim.world.config_snapshots.created == created + 1
    refused = call("run_now", "POST", "/api/run", body=b'{"refreshPolicies": 1}',
                   headers={"content-type": "application/json"})
    assert refused.status_code == 400
