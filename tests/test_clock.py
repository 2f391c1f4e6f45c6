from datetime import UTC, datetime, timedelta

import pytest

from teams_sip.domain.clock import ManualClock


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    assert clock.advance(timedelta(hours=25)) == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 1, 1))
