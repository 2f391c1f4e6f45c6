"""The admin page's "Check my tenant": the doctor's verdicts in a table, read-only, by keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Served
from tests.browser.pagehelp import enter_key

pytestmark = pytest.mark.browser


def test_check_my_tenant_lists_the_verdicts(served: Served, page: Any) -> None:
    enter_key(page, served.base)
    page.locator("#check-tenant").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Tenant check: ")
    expect(page.locator("#status")).to_contain_text("0 contradicted")
    expect(page.locator("#doctor tbody tr").first).to_contain_text("signIn.graph")
    expect(page.locator("#doctor tbody")).to_contain_text("teamwork.answers")
    expect(page.locator("#check-tenant")).to_be_focused()
    with page.expect_download() as download:
        page.locator("#doctor-markdown").click()
    assert download.value.suggested_filename == "teams-sip-doctor.md"
