"""Issue 24, items 2 and 12 on the admin page: the rejected-rows CSV neutralises the admin's own cells,
an upload that would drop more rostered handsets than IMPORT_MAX_DROPS is refused with the handsets
listed, and goes in once "Allow removals" is ticked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Served
from tests.browser.pagehelp import csv_rows, download, enter_key

pytestmark = pytest.mark.browser
HEADER = "IPEI,UPN,Site,Display name\n"
LYON = [f"00000{n:05X},user{n}@contoso.com,Lyon,User {n}\n" for n in range(1, 8)]


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#roster-file", str(path))
    expect(page.locator("#upload-progress")).to_have_js_property("value", 100)


def test_rejected_rows_neutralised_and_drops_confirmed(served: Served, page: Any, tmp_path: Path) -> None:
    enter_key(page, served.base)
    page.get_by_role("link", name="Upload roster").click()
    first = tmp_path / "lyon.csv"
    first.write_text(HEADER + "".join(LYON) + '=1+1,evil@contoso.com,Lyon,"=HYPERLINK(""http://evil"",""x"")"\n')
    _upload(page, first)
    expect(page.locator("#status")).to_have_text("Roster imported: 7 rows accepted, 1 rejected.")
    _, text = download(page, lambda: page.click("#download-rejected"))
    [row] = csv_rows(text)
    assert row["IPEI"] == "'=1+1" and row["Display name"] == "'=HYPERLINK(\"http://evil\",\"x\")"

    second = tmp_path / "lyon-one.csv"
    second.write_text(HEADER + LYON[0])
    _upload(page, second)
    expect(page.locator("#status")).to_contain_text("Nothing was imported: the file would drop 6 rostered handset(s)")
    expect(page.locator("#report-changes li")).to_have_count(6)
    expect(page.locator("#report-changes")).to_contain_text("Dropped: 000000000007 (user7@contoso.com, Lyon)")

    page.check("#allow-removals")
    _upload(page, second)
    expect(page.locator("#status")).to_have_text("Roster imported: 1 rows accepted, 0 rejected.")
    expect(page.locator("#report-changes li")).to_have_count(6)
