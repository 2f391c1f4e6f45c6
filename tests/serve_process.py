"""`teams-sip serve --simulator` as a real process on a free loopback port, for the tests that drive
it over HTTP (the serve test and the browser tests)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(workdir: Path, key: str) -> Iterator[str]:
    """Yields the base URL once /api/health answers; the timer is parked so tests run passes themselves."""
    with serving_process(workdir, ["--function-key", key]) as (base, _output):
        yield base


@contextmanager
def serving_generated_key(workdir: Path) -> Iterator[tuple[str, str]]:
    """`serve` as documented, without --function-key: yields the base URL and the key it printed."""
    with serving_process(workdir, []) as (base, output):
        found = re.search(r"function key \(.*\): (\S+)", output.read_text())
        yield base, found.group(1) if found else ""  # "": it printed none (test_serve_security asserts it does)


@contextmanager
def serving_process(workdir: Path, extra: list[str]) -> Iterator[tuple[str, Path]]:
    """The process with `extra` arguments; yields the base URL and the file its output goes to."""
    port = free_port()
    env = {**os.environ, "RECONCILE_SCHEDULE": "0 0 0 1 1 *"}
    output = workdir / f"serve-{port}.log"
    with output.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "teams_sip", "serve", "--simulator", "--port", str(port), *extra,
             "--data-dir", str(workdir / "data")],
            cwd=workdir, env=env, stdout=sink, stderr=subprocess.STDOUT)
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
                pytest.fail(f"teams-sip serve did not come up:\n{output.read_text()}")
            time.sleep(0.1)
        yield base, output
    finally:
        proc.terminate()
        proc.wait(timeout=10)
