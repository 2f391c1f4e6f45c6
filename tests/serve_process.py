"""`teams-sip serve --simulator` as a real process on a free loopback port, for the tests that drive
it over HTTP (the serve test and the browser tests)."""

from __future__ import annotations

import os
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
    port = free_port()
    env = {**os.environ, "RECONCILE_SCHEDULE": "0 0 0 1 1 *"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "teams_sip", "serve", "--simulator", "--port", str(port), "--function-key", key,
         "--data-dir", str(workdir / "data")],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
