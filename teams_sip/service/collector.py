"""The pace of Python's cyclic garbage collector while a pass runs.

A pass over 10,000 handsets builds tens of thousands of records, verdicts and history lines that
live until it ends. At the default thresholds (700, 10, 10) the collector rescans them again and
again as they pile up, with every thread stopped: 1.5-2 s of an upload pass and 0.6-1 s of each
install-day pass in the onboarding benchmark. During a pass the youngest generation is collected
every PASS_THRESHOLD allocations instead (what a pass builds is freed by reference counting, its
records hold no cycles; peak memory did not move), and the thresholds come back when the last pass
running in the process ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

PASS_THRESHOLD = 20_000


class _Passes:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.saved: tuple[int, int, int] = gc.get_threshold()


_PASSES = _Passes()


@contextmanager
def collecting_less() -> Iterator[None]:
    """Raise the youngest generation's threshold for the body; passes in other threads share it."""
    with _PASSES.lock:
        if _PASSES.running == 0:
            _PASSES.saved = gc.get_threshold()
            gc.set_threshold(max(PASS_THRESHOLD, _PASSES.saved[0]), *_PASSES.saved[1:])
        _PASSES.running += 1
    try:
        yield
    finally:
        with _PASSES.lock:
            _PASSES.running -= 1
            if _PASSES.running == 0:
                gc.set_threshold(*_PASSES.saved)
