"""The admin page by keyboard alone (wrong key, right key, upload, filter, pass, device, renewal refused
outside the install window), drag-and-drop, and the files an admin brings back from Teams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import KEY, ROOT, Served
from tests.browser.pagehelp import cells, enter_key, facts, focused, tab_to

pytestmark = pytest.mark.browser
HANDSETS = ROOT / "examples" / "handsets.csv"


def test_keyboard_only_from_key_to_device(served: Served, page: Any) -> None:
    # Playwright turns on file-chooser interception asynchronously; listening from the start means the
    # Space press further down can never beat it and open an unseen native dialog instead.
    page.on("filechooser", lambda _chooser: None)
    page.goto(f"{served.base}/")
    expect(page.locator("#key")).to_be_focused()
    page.keyboard.type("not-the-key")
    page.keyboard.press("Enter")
    expect(page.locator("#key-help")).to_have_text("That key was refused: enter a valid function key.")
    expect(page.locator("#key")).to_be_focused()
    page.keyboard.type(KEY)
    page.keyboard.press("Enter")
    expect(page.locator("#key-form")).to_be_hidden()
    expect(page.locator("#h-dashboard")).to_be_focused()

    tab_to(page, "Upload roster", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#h-upload")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page).startswith("input#roster-file")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(HANDSETS))
    expect(page.locator("#status")).to_have_text("Roster imported: 10 rows accepted, 10 rejected.")
    tab_to(page, "select#row-filter")
    page.keyboard.press("ArrowDown")  # "rejected rows"
    expect(page.locator("#row-count")).to_have_text("Showing 10 of 20 rows.")

    tab_to(page, "Dashboard", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#h-dashboard")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page).startswith("button#run-pass")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("9 registered")
    expect(page.locator("#run-pass")).to_be_focused()  # focus stays where the admin was

    tab_to(page, "Devices", key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#h-devices")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Stockholm HQ")
    page.keyboard.press("Enter")
    expect(page.locator("#devices-count")).to_have_text("3 handset(s) shown.")
    tab_to(page, "00-00-04-D5-F9-80")
    page.keyboard.press("Enter")
    expect(page.locator("#device-title")).to_be_focused()
    assert facts(page, "#device-facts")["State"] == "registered"
    tab_to(page, "button#renew")
    page.keyboard.press("Enter")
    # 13 March: Stockholm installs on the 16th, so no code yet, and the page says when it will be possible.
    expect(page.locator("#status")).to_contain_text("install window is 2026-03-16 07:00 CET to")
    assert facts(page, "#device-facts")["State"] == "registered"


def test_drop_a_roster_then_bring_back_files_from_teams(served: Served, page: Any, tmp_path: Path) -> None:
    enter_key(page, served.base)
    page.get_by_role("link", name="Upload roster").click()
    transfer = page.evaluate_handle(
        "text => { const dt = new DataTransfer(); dt.items.add(new File([text], 'handsets.csv', {type: 'text/csv'}));"
        " return dt; }", HANDSETS.read_text(encoding="utf-8"))
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})
    expect(page.locator("#status")).to_have_text("Roster imported: 10 rows accepted, 10 rejected.")
    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("button", name="Run a reconciliation pass now").click()
    expect(page.locator("#status")).to_contain_text("9 registered")

    page.get_by_role("link", name="Codes and sign-in").click()
    page.get_by_role("button", name="Upload results").click()
    expect(page.locator("#status")).to_have_text("Choose a file first.")
    expect(page.locator("#signin-file")).to_be_focused()

    export = tmp_path / "codes.csv"  # a code nobody asked for: refused, and nothing changes
    export.write_text("MAC id,Verification code\n00-0D-EA-DB-EE-F4,123456\n", encoding="utf-8")
    page.get_by_label("Code export (CSV or XLSX)").set_input_files(str(export))
    page.get_by_role("button", name="Upload codes").click()
    expect(page.locator("#status")).to_have_text("codes.csv was not used: see the rows below.")
    lines = page.locator("#action-result li").all_inner_texts()
    assert lines[0] == "0 code(s) matched to handsets and put on worksheets, 1 row(s) not used."
    assert lines[1].startswith("Row 2: no code was requested for this handset")
    assert "123456" not in page.content()  # a code never comes back onto the page

    results = tmp_path / "signin.csv"
    results.write_text("BatchId,Username,HardwareId,Status,Error\nb-1,anna.berg@contoso.com,00-0D-EA-DB-EE-F4,Success,\n",
                       encoding="utf-8")
    page.get_by_label("Result file (CSV)").set_input_files(str(results))
    page.get_by_role("button", name="Upload results").click()
    expect(page.locator("#status")).to_contain_text("Bulk sign-in result file refused: it matches no batch")
    expect(page.locator("#action-result li")).to_have_count(0)

    page.goto(f"{served.base}/#/device/000DEADBEEF4")
    expect(page.locator("#device-title")).to_have_text("Handset 00-0D-EA-DB-EE-F4")
    assert facts(page, "#device-facts")["State"] == "registered"
    assert [r[2] for r in cells(page, "#history")] == ["imported", "ready", "registered"]
