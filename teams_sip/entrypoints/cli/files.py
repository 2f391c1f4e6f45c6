"""Reading a roster named on the command line: a regular file, within the size cap, never more.

`Path.read_bytes()` reads a 2 GB file before the 20 MB rule can refuse it, follows a path to
`/dev/zero` for ever and blocks on a FIFO. Here the path is stat-ed first (it must be a regular
file no larger than the cap), opened without blocking, checked again on the open descriptor (the
path may have changed in between) and read up to the cap plus one byte, so a file that grows
while it is read is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.options import MB


def _size(n: int) -> str:
    return f"{n:,} bytes ({n / MB:.2f} MB)"


def _check(path: Path, mode: int, size: int, max_bytes: int) -> None:
    if stat.S_ISDIR(mode):
        raise ImportRefused(f"{path} is a folder, not a roster file.")
    if not stat.S_ISREG(mode):
        raise ImportRefused(f"{path} is not a regular file (it is a pipe, socket or device); save the roster "
                            "as a file and name that.")
    if size > max_bytes:
        raise ImportRefused(f"{path.name} is {_size(size)}; the limit is {_size(max_bytes)}. Split the roster.")


def read_roster_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or ImportRefused (not a regular file, too large, unreadable)."""
    try:
        info = path.stat()
        _check(path, info.st_mode, info.st_size, max_bytes)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ImportRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check(path, info.st_mode, info.st_size, max_bytes)
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ImportRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise ImportRefused(f"{path.name} is larger than {_size(max_bytes)}; split the roster.")
    return data
