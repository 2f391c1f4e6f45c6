"""Fixtures for the admin page in a real browser: `teams-sip serve --simulator` as a process on a free
port and headless Chromium from the distribution (never a downloaded browser), driven by Playwright."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve_process import serving

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
KEY = "browser-test-key"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@dataclass(frozen=True)
class Served:
    base: str

    def set_clock(self, moment: str) -> None:
        """Moves the simulated tenant's clock, as an admin rehearsing a rollout would."""
        response = httpx.post(f"{self.base}/_sim/clock", json={"set": moment}, headers={"x-functions-key": KEY},
                              timeout=10)
        assert response.status_code == 200, response.text


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving(tmp_path, KEY) as base:
        yield Served(base)


@pytest.fixture(scope="module")  # Playwright keeps an event loop running in this thread until it closes
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("\n\n*** BROWSER TESTS SKIPPED: /usr/bin/chromium is missing. Install it with "
                    "`make system-deps` (Debian package 'chromium'); CI must run these tests. ***\n")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A laptop-sized page that fails the test on any script error (console errors are collected)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield new_page
    finally:
        context.close()
    assert not errors, f"script errors on the page: {errors}"
