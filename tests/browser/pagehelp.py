"""Reading the admin page the way an admin sees it: table cells, label/value lists, keyboard focus."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import KEY


def settled(page: Any) -> None:
    """Waits until no view is loading (`aria-busy`), so what is read belongs to the view the admin opened."""
    expect(page.locator("section[aria-busy='true']")).to_have_count(0)


def cells(page: Any, table: str) -> list[list[str]]:
    """The visible text of every body row of a table."""
    settled(page)
    rows: list[list[str]] = page.eval_on_selector_all(
        f"{table} tbody tr", "trs => trs.map(tr => [...tr.children].map(td => td.innerText.trim()))")
    return rows


def facts(page: Any, dl: str) -> dict[str, str]:
    settled(page)
    pairs: list[tuple[str, str]] = page.eval_on_selector_all(
        f"{dl} dt", "dts => dts.map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])")
    return dict(pairs)


def focused(page: Any) -> str:
    """`tag#id "text"` of the element that has keyboard focus."""
    text: str = page.evaluate(
        "() => { const e = document.activeElement; "
        "return `${e.tagName.toLowerCase()}#${e.id} ${e.innerText || ''}`.trim(); }")
    return text


def tab_to(page: Any, wanted: str, limit: int = 40, key: str = "Tab") -> None:
    """Presses Tab (or Shift+Tab) until the focused element's description contains `wanted`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if wanted in now:
            return
        seen.append(now)
    raise AssertionError(f"{wanted!r} is not reachable with Tab; focus went through {seen}")


def enter_key(page: Any, base: str) -> None:
    """The page asks for the function key (focus on its field) before it shows any data."""
    page.goto(f"{base}/")
    expect(page.locator("#key")).to_be_focused()
    expect(page.locator("#status")).to_contain_text("needs a function key")
    page.keyboard.type(KEY)
    page.keyboard.press("Enter")
    expect(page.locator("#key-form")).to_be_hidden()


def download(page: Any, click: Any) -> tuple[str, str]:
    """(suggested file name, text) of what the page saves when `click()` runs."""
    with page.expect_download() as info:
        click()
    item = info.value
    return item.suggested_filename, Path(item.path()).read_text(encoding="utf-8-sig")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
