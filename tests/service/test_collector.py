"""A pass collects cyclic garbage less often, and leaves the collector as it found it."""

from __future__ import annotations

import gc
import threading

import pytest

from teams_sip.service.collector import PASS_THRESHOLD, collecting_less


def test_the_threshold_is_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collecting_less():
        assert gc.get_threshold() == (PASS_THRESHOLD, *before[1:])
        raise RuntimeError("the pass failed")
    assert gc.get_threshold() == before


def test_overlapping_passes_restore_the_threshold_only_when_the_last_one_ends() -> None:
    before = gc.get_threshold()
    first_in, first_may_end = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with collecting_less():
            first_in.set()
            first_may_end.wait(5)
        seen.append(gc.get_threshold())

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with collecting_less():
        pass
    seen.append(gc.get_threshold())  # the first pass still runs: still raised
    first_may_end.set()
    thread.join(5)
    assert seen == [(PASS_THRESHOLD, *before[1:]), before]
