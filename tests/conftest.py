"""Test tiers. Every test that starts a server (the simulated tenant, Azurite, `teams-sip serve`, a
browser) is marked `server`, every test that starts a process is marked `process`; `make check`
runs the rest (domain and service tests on in-memory ports) for the inner loop, `make test` runs all.

The marks are given at collection, from what a test can reach: its module's source and the source
of every fixture it uses. So that a test the marking misses cannot slip into the quick tier, that
tier (TEAMS_SIP_TIER=check, set by `make check`) makes listening on a socket and starting a process
fail the test that tries.

The Graph contract (tests/contract/plugin.py) is installed here too: it judges every Graph answer the
simulated tenants give during the run by msgraph-sdk's generated models.
"""

from __future__ import annotations

import inspect
import os
import socket
import subprocess
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest

from tests.contract.plugin import pytest_addoption, pytest_configure

TIER_VARIABLE = "TEAMS_SIP_TIER"
__all__ = ["pytest_addoption", "pytest_collection_modifyitems", "pytest_configure"]

SERVER_HINTS = ("SimulatedTenant", "tests.reliability.harness", "tests.functions.support", "tests.azurite",
                "serve_process", "uvicorn", "playwright", "sim_settings", "getfixturevalue(\"azurite\")",
                "teams_sip.demo")
PROCESS_HINTS = ("subprocess", "sys.executable", "serve_process", "child_runner", "multiprocessing", "Popen")
SERVER_PARAMS = ("tables", "azurite")
"""Parameter ids that stand for a server (the store contract's Table Storage run on Azurite)."""


@cache
def _source(obj: Any) -> str:
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        return ""


def _reachable_source(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    texts = [_source(module)] if module is not None else []
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info is not None else ()):
        for fixturedef in defs:
            if not fixturedef.func.__module__.startswith(("_pytest", __name__)):
                texts.append(_source(fixturedef.func))
                texts.append(_source(inspect.getmodule(fixturedef.func)))
    return "\n".join(texts)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        text = _reachable_source(item)
        params = str(getattr(getattr(item, "callspec", None), "id", ""))
        if any(hint in text for hint in SERVER_HINTS) or any(p in params.split("-") for p in SERVER_PARAMS):
            item.add_marker(pytest.mark.server)
        if any(hint in text for hint in PROCESS_HINTS):
            item.add_marker(pytest.mark.process)


def _refused(what: str) -> Any:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError(f"this test {what} but carries no `server`/`process` mark (tests/conftest.py)")

    return refuse


@pytest.fixture(autouse=True)
def _quick_tier_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if os.environ.get(TIER_VARIABLE) == "check":
        monkeypatch.setattr(socket.socket, "listen", _refused("listens on a socket"))
        monkeypatch.setattr(subprocess.Popen, "__init__", _refused("starts a process"))
    yield
