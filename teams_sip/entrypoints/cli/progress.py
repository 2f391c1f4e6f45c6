"""Progress on stderr for long command-line work, only when someone is watching.

Validating 100,000 rows, a pre-flight of thousands of users or a pass can take a minute; on a
terminal the admin sees what is happening and for how long. When stderr is a file or a pipe (cron,
CI, `2>log`) nothing is written: logs must not fill with carriage-return animations.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """One line, rewritten in place while work runs; a no-op unless `stream` is a terminal."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 0.25) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self._stream, "isatty", lambda: False)())
        self._interval, self._width = interval, 0
        self._lock = threading.Lock()

    def _write(self, text: str, *, end: str = "") -> None:
        with self._lock:
            pad = " " * max(0, self._width - len(text))
            self._stream.write(f"\r{text}{pad}{end}")
            self._stream.flush()
            self._width = 0 if end else len(text)

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        """`label… 12 s` ticking while the block runs, then `label… done in 12.3 s` (or `stopped after`)."""
        if not self.enabled:
            yield
            return
        start, stop = time.monotonic(), threading.Event()

        def tick() -> None:
            while not stop.wait(self._interval):
                self._write(f"{label}… {time.monotonic() - start:.0f} s")

        self._write(f"{label}…")
        ticker = threading.Thread(target=tick, name="cli-progress", daemon=True)
        ticker.start()
        outcome = "stopped after"
        try:
            yield
            outcome = "done in"
        finally:
            stop.set()
            ticker.join()
            self._write(f"{label}… {outcome} {time.monotonic() - start:.1f} s", end="\n")
