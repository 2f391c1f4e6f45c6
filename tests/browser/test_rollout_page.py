"""The admin page in headless Chromium against `teams-sip serve --simulator`: an admin uploads the
example roster, reads and filters the validation report, downloads the rejected rows and uploads them
again, runs passes across the install morning in Stockholm, sees the codes on the dashboard, opens a
handset's history, renews its code and downloads the worksheet that carries it."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, KEY, ROOT, Served
from tests.browser.pagehelp import cells, csv_rows, download, enter_key, facts

pytestmark = pytest.mark.browser
HANDSETS = ROOT / "examples" / "handsets.csv"
SCREENSHOT = ROOT / "docs" / "screenshot-dashboard.png"
REJECTED_ROWS = {"11", "12", "13", "14", "17", "18", "19", "20", "21", "22"}


def upload_roster(page: Any, path: Path) -> None:
    page.get_by_role("link", name="Upload roster").click()
    page.set_input_files("#roster-file", str(path))
    expect(page.locator("#upload-progress")).to_have_js_property("value", 100)


def first_pass(page: Any, served: Served) -> Any:
    """Key, the example roster, and a first pass from the dashboard (13 March: registered, no codes);
    answers the dashboard's run button."""
    enter_key(page, served.base)
    upload_roster(page, HANDSETS)
    expect(page.locator("#status")).to_contain_text("Roster imported")
    page.get_by_role("link", name="Dashboard").click()
    run = page.get_by_role("button", name="Run a reconciliation pass now")
    run.click()
    expect(page.locator("#status")).to_contain_text("9 registered, 0 code(s) issued")
    return run


def test_upload_report_filter_and_rejected_rows(served: Served, page: Any, tmp_path: Path) -> None:
    enter_key(page, served.base)
    upload_roster(page, HANDSETS)
    expect(page.locator("#status")).to_have_text("Roster imported: 10 rows accepted, 10 rejected.")
    summary = facts(page, "#report-summary")
    assert {k: summary[k] for k in ("Rows read", "Accepted", "Rejected", "With warnings", "Handsets")} == {
        "Rows read": "20", "Accepted": "10", "Rejected": "10", "With warnings": "5", "Handsets": "9"}
    rows = cells(page, "#rows")
    assert ["12", "rejected", "", "Handset IPEI",
            "Error: '57005 0782068 3': check digit is 3 but should be 7; check for a typo"] in rows
    assert ["21", "rejected", "", "Region", "Error: 'Mars' is not a region: use APAC, EMEA or NOAM"] in rows

    page.select_option("#row-filter", "rejected")
    expect(page.locator("#row-count")).to_have_text("Showing 10 of 20 rows.")
    rejected = cells(page, "#rows")
    assert {r[0] for r in rejected} == REJECTED_ROWS and {r[1] for r in rejected} == {"rejected"}
    page.fill("#row-search", "check digit")
    expect(page.locator("#row-count")).to_have_text("Showing 1 of 20 rows.")
    assert [r[0] for r in cells(page, "#rows")] == ["12"]
    page.select_option("#row-filter", "warnings")
    page.fill("#row-search", "")
    expect(page.locator("#row-count")).to_have_text("Showing 5 of 20 rows.")
    assert {r[1] for r in cells(page, "#rows")} == {"accepted"}  # the rows with warnings are all accepted ones
    assert all("Warning:" in r[4] or r[1] == "rejected" for r in cells(page, "#rows"))

    name, text = download(page, lambda: page.click("#download-rejected"))
    assert name == "rejected-rows.csv"
    fixed = csv_rows(text)
    assert [r["Original row"] for r in fixed] == sorted(REJECTED_ROWS, key=int)
    julia = next(r for r in fixed if r["Original row"] == "12")
    assert julia["Handset IPEI"] == "57005 0782068 3" and julia["UPN"] == "julia.rossi@contoso.com"
    assert julia["Problem to fix"] == ("Handset IPEI: '57005 0782068 3': check digit is 3 but should be 7; "
                                       "check for a typo")

    # The downloaded file goes straight back in: every row is still rejected, so nothing is imported.
    again = tmp_path / "rejected-rows.csv"
    again.write_text(text, encoding="utf-8")
    page.set_input_files("#roster-file", str(again))
    expect(page.locator("#status")).to_have_text(
        "Nothing was imported: every row was rejected. Fix them and upload again.")
    assert facts(page, "#report-summary")["Rejected"] == "10" and facts(page, "#report-summary")["Accepted"] == "0"
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Run a reconciliation pass now").click()
    expect(page.locator("#status")).to_contain_text("9 registered")  # the first import still stands


def _save_screenshot(page: Any) -> None:
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.mouse.move(640, 790)  # no hover highlight in the picture
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("TEAMS_SIP_UPDATE_SCREENSHOT") == "1":  # refresh the README's picture on purpose only
        shutil.copyfile(shot, SCREENSHOT)


def test_install_morning_codes_history_renewal_and_worksheet(served: Served, page: Any) -> None:
    run = first_pass(page, served)
    expect(page.locator("#today-empty")).to_be_visible()  # 13 March: nobody installs today

    served.set_clock("2026-03-16T06:00:00Z")  # 07:00 in Stockholm: its install window opens
    run.click()
    expect(page.locator("#status")).to_contain_text("3 code(s) issued, 0 failure(s)")
    expect(page.locator("#clock")).to_have_text("Service time: 2026-03-16 06:00 UTC")
    expect(page.locator("#today-devices tbody tr")).to_have_count(3)
    _save_screenshot(page)
    page.get_by_text("Numbers per state and site").click()  # the chart's numbers, as a table
    counts = {r[0]: r[1:] for r in cells(page, "#counts")}
    headers = page.eval_on_selector_all("#counts thead th", "ths => ths.map(th => th.innerText.trim())")
    assert headers == ["Site", "registered", "code issued", "Total"]
    assert counts == {"Chicago Office": ["2", "0", "2"], "Lyon Plant": ["2", "0", "2"], "Singapore": ["2", "0", "2"],
                      "Stockholm HQ": ["0", "3", "3"]}
    assert page.locator("#chart .chart-row").count() == 4
    assert "Stockholm HQ: 3 code issued" in (page.locator("#chart").get_attribute("aria-label") or "")
    today = cells(page, "#today")
    assert [r[:5] for r in today] == [["Stockholm HQ", "2026-03-16", "3", "3 of 3 live", "2026-03-17 07:00 CET"]]
    handsets = cells(page, "#today-devices")
    assert sorted(r[1] for r in handsets) == ["anna.berg@contoso.com", "ben.okafor@contoso.com",
                                              "lobby.phone@contoso.com"]
    assert {(r[3], r[4]) for r in handsets} == {("code issued", "valid until 2026-03-17 07:00 CET")}

    _, before = download(page, lambda: page.locator("#today a", has_text="CSV").click())
    assert before.count("*55*") == 3

    page.locator("#today-devices a", has_text="00-00-04-D5-F9-80").click()  # Ben Okafor's Poly Rove 30
    expect(page.locator("#device-title")).to_have_text("Handset 00-00-04-D5-F9-80")
    expect(page.locator("#device-title")).to_be_focused()
    device = facts(page, "#device-facts")
    assert device["IPEI (decimal)"] == "00077 0391552 8" and device["State"] == "code issued"
    assert device["Verification code"] == "valid until 2026-03-17 07:00 CET"
    history = cells(page, "#history")
    assert history[0] == ["2026-03-13 10:00 CET", "(new)", "imported", "named in the roster"]
    assert history[-1] == ["2026-03-16 07:00 CET", "registered", "code issued", "first code issued"]

    page.get_by_role("button", name="Renew verification code").click()  # a live code is not replaced silently
    expect(page.locator("#status")).to_have_text(
        re.compile(r"has a code valid until 2026-03-17 07:00 CET; ask again with force"))
    expect(page.locator("#status")).to_have_class(re.compile("error"))
    page.get_by_label("Replace the code that is still valid").check()
    page.get_by_role("button", name="Renew verification code").click()
    expect(page.locator("#status")).to_have_text(re.compile("^A new code was issued"))
    causes = [r[3] for r in cells(page, "#history")]
    assert causes[-2:] == ["live code replaced at an admin's request", "code renewed (1)"]

    name, after = download(page, lambda: page.locator("#device-worksheet a", has_text="CSV").click())
    assert name == "Stockholm HQ-2026-03-16.csv" and after.count("*55*") == 3
    dial = {r["Hardware ID"]: r["Dial"] for r in csv_rows(after)}
    old = {r["Hardware ID"]: r["Dial"] for r in csv_rows(before)}
    assert dial["00-00-04-D5-F9-80"] != old["00-00-04-D5-F9-80"]  # the renewed code is on the worksheet
    assert {k: v for k, v in dial.items() if k != "00-00-04-D5-F9-80"} == {
        k: v for k, v in old.items() if k != "00-00-04-D5-F9-80"}


def _user_lookups(served: Served) -> int:
    stats = httpx.get(f"{served.base}/_sim/stats", headers={"x-functions-key": KEY}, timeout=10).json()
    return sum(n for name, n in stats["requests"].items() if name.endswith("GET /v1.0/users"))


def test_a_pass_that_asks_about_every_user_again(served: Served, page: Any) -> None:
    run = first_pass(page, served)
    asked = _user_lookups(served)
    run.click()
    expect(page.locator("#status")).to_contain_text("Pass complete")
    assert _user_lookups(served) == asked, "nobody is due again on the next pass"
    page.get_by_label("and ask Teams about every user again").check()
    run.click()
    expect(page.locator("#check-all")).not_to_be_checked()  # one pass, not every pass from now on
    assert _user_lookups(served) > asked
