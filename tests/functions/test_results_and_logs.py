"""The remaining HTTP paths: bulk sign-in result uploads, import lookups, and no code in any log."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from teams_sip.service.worksheet_delivery import worksheet_dir
from tests.functions.support import LYON_OPEN, World, body_of, call, snapshot, upload, world


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path) as made:
        yield made


def _post_results(data: bytes) -> tuple[int, dict[str, object]]:
    response = call("post_signin_results", "POST", "/api/signin-results", body=data,
                    params={"filename": "result.csv"}, headers={"content-type": "text/csv"})
    return response.status_code, body_of(response)


def test_unusable_signin_result_files_are_refused_and_change_nothing(w: World) -> None:
    upload()
    call("run_now", "POST", "/api/run")
    before = snapshot(w)
    status, body = _post_results(b"\x00\x01 not a csv")
    assert status == 400 and body["error"]["message"]  # type: ignore[index]
    status, body = _post_results(b"Reference,BatchId,Region,UserName,HardwareId,Status,Error\n"
                                 b"nope-1,77,EMEA,lobby@contoso.com,00-03-71-7C-0E-0A,Success,\n")
    assert status == 400 and "batch" in str(body).lower()
    assert snapshot(w) == before


def test_import_lookup_by_id(w: World) -> None:
    import_id = body_of(upload())["import_id"]
    found = call("get_import", path=f"/api/imports/{import_id}", route={"import_id": import_id})
    assert found.status_code == 200 and body_of(found)["import_id"] == import_id
    missing = call("get_import", path="/api/imports/20260101T000000-0000000000",
                   route={"import_id": "20260101T000000-0000000000"})
    assert missing.status_code == 404 and body_of(missing)["error"]["code"]


def test_no_verification_code_reaches_any_log(w: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    upload()
    call("run_now", "POST", "/api/run")
    w.clock.set(LYON_OPEN)
    call("run_now", "POST", "/api/run")
    worksheet = call("get_worksheet", path="/api/worksheets/x/y", route={"site": "Lyon Plant", "day": "2026-03-17"})
    assert b"*55*" in worksheet.get_body()  # codes are in the worksheet response, and only there
    raw = w.rollout.ports.artifacts.get(f"{worksheet_dir('Lyon Plant', LYON_OPEN.date())}/lines.json") or b""
    codes = [line["code"] for line in json.loads(raw)]
    assert codes and caplog.records  # something was logged, and none of it holds a code
    assert not any(code in caplog.text for code in codes)
    assert "*55*" not in caplog.text
