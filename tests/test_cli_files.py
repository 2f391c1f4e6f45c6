"""Issue 24, item 13 and progress: `import`, `validate` and `check` stat the named path first (a regular
file within the size cap), never block on a FIFO nor read a device without end, and read at most the
cap; long work shows progress on stderr when stderr is a terminal, and nothing otherwise."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teams_sip.domain.roster import ImportRefused
from teams_sip.entrypoints.cli.files import read_roster_bytes
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

ROOT = Path(__file__).resolve().parents[1]
ROSTER = "IPEI,UPN,Site\n0DEADBEEF4,anna@contoso.com,Lyon\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Settings `import` accepts; the simulator is never reached, since every path here is refused first."""
    out = tmp_path_factory.mktemp("cli-files")
    with SimulatedTenant.start(scenario_for_users([("anna@contoso.com", "Anna", "eligible")])) as sim:
        yield {**os.environ, **settings_values(sim), "SQLITE_PATH": str(out / "s.sqlite3"),
               "OUTPUT_DIR": str(out / "out")}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teams_sip", *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env=env, check=False)


@pytest.fixture
def awkward(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "roster.csv"
    os.mkfifo(fifo)  # nobody writes to it: opening it to read would wait for ever
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return {"a pipe": fifo, "a device": zero, "a folder": folder}


@pytest.mark.parametrize("command", ["validate", "import", "check"])
def test_commands_refuse_what_is_not_a_regular_file_at_once(command: str, env: dict[str, str],
                                                             awkward: dict[str, Path]) -> None:
    for what, path in awkward.items() if command == "validate" else [("a pipe", awkward["a pipe"])]:
        done = _cli(env, command, str(path))
        assert done.returncode == 2, (what, done.stderr)
        assert "not a regular file" in done.stderr or "is a folder" in done.stderr, (what, done.stderr)


def test_a_file_over_the_cap_is_refused_from_its_size_alone(tmp_path: Path, env: dict[str, str]) -> None:
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # sparse: 3 GB that reading would have to page through
    for command in ("import", "check"):  # they read it whole before the size rule
        done = _cli(env | {"IMPORT_MAX_MB": "20"}, command, str(big))
        assert done.returncode == 2 and "the limit is 20,971,520 bytes" in done.stderr, done.stderr


def test_reading_stops_at_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(ROSTER)
    assert read_roster_bytes(path, 1024) == ROSTER.encode()
    with pytest.raises(ImportRefused, match="the limit is 10 bytes"):
        read_roster_bytes(path, 10)


def _stderr_through_a_terminal(env: dict[str, str], *args: str) -> tuple[int, str]:
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "teams_sip", *args], stdout=subprocess.DEVNULL,
                            stderr=secondary, cwd=ROOT, env=env)
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    return proc.wait(timeout=60), seen.decode("utf-8", "replace")


def test_progress_on_a_terminal_and_quiet_otherwise(tmp_path: Path, env: dict[str, str]) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER + "".join(f"00{n:08X},u{n}@contoso.com,Lyon\n" for n in range(1, 5000)))
    code, shown = _stderr_through_a_terminal(env, "validate", str(roster))
    assert code == 0 and "Validating roster.csv…" in shown and "done in" in shown
    quiet = _cli(env, "validate", str(roster))
    assert quiet.returncode == 0 and quiet.stderr == ""
