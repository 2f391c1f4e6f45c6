"""Issue 24, items 2 and 8 over HTTP: `POST api/imports` refuses (409, nothing applied) a file that drops
more rostered handsets than IMPORT_MAX_DROPS unless `allow_removals` confirms it, lists the drops in
every report, and reads the sheet the `sheet` field names."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.functions.support import ANNA, BEN, World, body_of, call, snapshot, upload, world

LYON_ONLY_NEW = ("IPEI,UPN,Display name,Site,Install date\n"
                 "0000100001,dan@contoso.com,Dan,Lyon Plant,2026-03-17\n")


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    with world(tmp_path, extra={"IMPORT_MAX_DROPS": "1"}) as made:
        yield made


def _upload(data: bytes, filename: str = "lyon.csv", **params: str) -> tuple[int, dict[str, object]]:
    response = call("post_import", "POST", "/api/imports", body=data, params={"filename": filename, **params},
                    headers={"content-type": "text/csv"})
    return response.status_code, body_of(response)


def test_drops_beyond_the_threshold_need_allow_removals(w: World) -> None:
    assert upload().status_code == 202
    before = snapshot(w)
    status, body = _upload(LYON_ONLY_NEW.encode())
    assert status == 409
    error = body["error"]
    assert isinstance(error, dict) and error["code"] == "removalsNeedConfirmation"
    assert ANNA in error["message"] and BEN in error["message"]
    report = body["report"]
    assert isinstance(report, dict)
    assert {d["hardware_id"] for d in report["roster_changes"]["dropped"]} == {ANNA, BEN}
    assert snapshot(w) == before  # nothing applied

    w.clock.set(w.clock.now() + timedelta(minutes=1))  # uploads at one clock time: item 11's, not this one's
    status, body = _upload(LYON_ONLY_NEW.encode(), allow_removals="true")
    assert status == 202 and body["import_id"]
    report = body["report"]
    assert isinstance(report, dict) and report["roster_changes"]["removals_allowed"] is True
    assert {r.hardware_id for r in w.rollout.roster.current() if r.site == "Lyon Plant"} == {"000000100001"}


def test_the_sheet_field_picks_the_sheet(w: World) -> None:
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Nothing to import here"])
    handsets = book.create_sheet("Handsets")
    handsets.append(["IPEI", "UPN", "Site"])
    handsets.append(["0DEADBEEF4", "anna@contoso.com", "Lyon Plant"])
    buffer = io.BytesIO()
    book.save(buffer)
    status, body = _upload(buffer.getvalue(), "r.xlsx")
    assert status == 400 and "'Handsets'" in str(body) and "sheet field" in str(body)
    status, body = _upload(buffer.getvalue(), "r.xlsx", sheet="Handsets")
    assert status == 202, body
