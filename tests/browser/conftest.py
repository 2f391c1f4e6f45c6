"""Fixtures for the admin page in a real browser: `teams-sip serve --simulator` as a process on a free
port and headless Chromium from the distribution (never a downloaded browser), driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

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
        response = httpx.post(f"{self.base}/_sim/clock", json={"set": moment}, timeout=10)
        assert response.status_code == 200, response.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    env = {**os.environ, "RECONCILE_SCHEDULE": "0 0 0 1 1 *"}  # the tests (and the page) run passes themselves
    proc = subprocess.Popen(
        [sys.executable, "-m", "teams_sip", "serve", "--simulator", "--port", str(port), "--function-key", KEY,
         "--data-dir", str(tmp_path / "data")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                output = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"teams-sip serve did not come up:\n{output}")
            time.sleep(0.1)
        yield Served(base)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


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
