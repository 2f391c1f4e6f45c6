"""Start and stop the Azurite storage emulator for tests (Table, optionally Blob and Queue).

Azurite comes from the pinned npm manifest in tools/azurite (installed by scripts/system-deps.sh, or
here with `npm ci` when node is present but the install is missing). It runs in memory on fixed free
ports picked here, because Azurite cannot report a port chosen by the OS.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from teams_sip.adapters.store.factory import AZURITE_ACCOUNT, AZURITE_KEY

ROOT = Path(__file__).resolve().parent.parent
AZURITE_DIR = ROOT / "tools" / "azurite"
AZURITE_BIN = AZURITE_DIR / "node_modules" / ".bin"
ACCOUNT, ACCOUNT_KEY = AZURITE_ACCOUNT, AZURITE_KEY
START_TIMEOUT_S = 30.0


def node_missing_reason() -> str | None:
    """Why Azurite cannot run here, or None. Only a missing Node.js is a reason to skip."""
    if shutil.which("node") is None:
        return ("NODE.JS IS NOT INSTALLED: the Azure Table Storage tests did NOT run. Install Node 20 "
                "(scripts/system-deps.sh does it as root) so the Table Storage adapter is tested; CI has node.")
    return None


def ensure_installed() -> None:
    """Install the pinned Azurite once if node is here but node_modules is not (e.g. pytest without make)."""
    if (AZURITE_BIN / "azurite-table").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing, so Azurite cannot be installed: run scripts/system-deps.sh")
    subprocess.run([npm, "ci", "--prefix", str(AZURITE_DIR), "--no-audit", "--no-fund"], check=True,
                   capture_output=True, timeout=600)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


class Azurite:
    """One emulator process; `services` is any of "table", "blob", "queue" (table alone starts fastest)."""

    def __init__(self, services: Sequence[str] = ("table",)) -> None:
        self.services = tuple(services)
        self.ports = {name: _free_port() for name in self.services}
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process it records
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Azurite:
        ensure_installed()
        program = "azurite" if len(self.services) > 1 else f"azurite-{self.services[0]}"
        args = [str(AZURITE_BIN / program), "--silent", "--skipApiVersionCheck", "--disableTelemetry",
                "--inMemoryPersistence", "--loose"]
        for name, port in self.ports.items():
            args += [f"--{name}Host", "127.0.0.1", f"--{name}Port", str(port)]
        self._process = subprocess.Popen(args, cwd=AZURITE_DIR, stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not all(_accepts(port) for port in self.ports.values()):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Azurite did not start: {self.output()}")
            time.sleep(0.05)
        return self

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-2000:]

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def endpoint(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        parts = [f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY}"]
        parts += [f"{name.capitalize()}Endpoint={self.endpoint(name)}" for name in self.services]
        return ";".join(parts) + ";"


def running(services: tuple[str, ...] = ("table",)) -> Iterator[Azurite]:
    """The body of every Azurite fixture: skip LOUDLY without Node.js, else start, yield, stop."""
    reason = node_missing_reason()
    if reason is not None:
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    server = Azurite(services).start()
    try:
        yield server
    finally:
        server.stop()
