"""Install windows at their edges: time zones east and west of UTC, and both DST changes."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from teams_sip.domain.lifecycle.windows import CODE_VALIDITY, RECHECK_LEAD, WindowRule, code_is_live, install_window
from teams_sip.errors import ConfigError

from .support import utc

DEFAULT = WindowRule()
US = timedelta(microseconds=1)

CASES = [
    # zone, install date, opens (UTC), closes (UTC)
    ("Europe/Berlin", date(2026, 1, 13), utc(2026, 1, 13, 6), utc(2026, 1, 14, 23)),
    ("Europe/Berlin", date(2026, 3, 28), utc(2026, 3, 28, 6), utc(2026, 3, 29, 22)),  # spring forward inside
    ("Europe/Berlin", date(2026, 3, 29), utc(2026, 3, 29, 5), utc(2026, 3, 30, 22)),  # opens on the short day
    ("Europe/Berlin", date(2026, 10, 24), utc(2026, 10, 24, 5), utc(2026, 10, 25, 23)),  # fall back inside
    ("America/New_York", date(2026, 3, 7), utc(2026, 3, 7, 12), utc(2026, 3, 9, 4)),
    ("America/New_York", date(2026, 7, 1), utc(2026, 7, 1, 11), utc(2026, 7, 3, 4)),
    ("America/New_York", date(2026, 10, 31), utc(2026, 10, 31, 11), utc(2026, 11, 2, 5)),
    ("Pacific/Honolulu", date(2026, 5, 5), utc(2026, 5, 5, 17), utc(2026, 5, 7, 10)),
    ("Asia/Tokyo", date(2026, 5, 5), utc(2026, 5, 4, 22), utc(2026, 5, 6, 15)),  # opens the day before in UTC
    ("Asia/Kolkata", date(2026, 5, 5), utc(2026, 5, 5, 1, 30), utc(2026, 5, 6, 18, 30)),
    ("Pacific/Auckland", date(2026, 4, 4), utc(2026, 4, 3, 18), utc(2026, 4, 5, 12)),  # NZ DST ends 5 April
    ("UTC", date(2026, 5, 5), utc(2026, 5, 5, 7), utc(2026, 5, 7)),
]


@pytest.mark.parametrize(("zone", "day", "opens", "closes"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_window_edges(zone: str, day: date, opens, closes) -> None:
    window = install_window(day, zone, DEFAULT)
    assert (window.opens, window.closes) == (opens, closes)
    assert not window.is_open(opens - US)
    assert window.is_open(opens)
    assert window.is_open(closes - US)
    assert not window.is_open(closes)
    assert window.has_closed(closes) and not window.has_closed(closes - US)
    assert window.next_open(opens - timedelta(days=3)) == opens
    assert window.next_open(opens + timedelta(hours=1)) == opens + timedelta(hours=1)
    assert window.next_open(closes) is None
    assert window.local(opens).time() == time(7, 0)
    assert window.local(closes).time() == time(0, 0)
    assert window.local(closes).date() == day + timedelta(days=2)


def test_dst_changes_the_length_not_the_local_edges() -> None:
    normal = install_window(date(2026, 3, 21), "Europe/Berlin", DEFAULT)
    spring = install_window(date(2026, 3, 28), "Europe/Berlin", DEFAULT)
    autumn = install_window(date(2026, 10, 24), "Europe/Berlin", DEFAULT)
    assert normal.closes - normal.opens == timedelta(hours=41)
    assert spring.closes - spring.opens == timedelta(hours=40)
    assert autumn.closes - autumn.opens == timedelta(hours=42)


def test_configured_opening_time_and_length() -> None:
    rule = WindowRule(opens_at=time(6, 30), days=1)
    window = install_window(date(2026, 5, 5), "America/New_York", rule)
    assert window.opens == utc(2026, 5, 5, 10, 30)
    assert window.closes == utc(2026, 5, 6, 4)
    longer = install_window(date(2026, 5, 5), "UTC", WindowRule(days=3))
    assert longer.closes == utc(2026, 5, 8)


def test_opening_time_inside_the_spring_gap_lands_after_it() -> None:
    window = install_window(date(2026, 3, 29), "Europe/Berlin", WindowRule(opens_at=time(2, 30)))
    assert window.opens == utc(2026, 3, 29, 1, 30)
    assert window.local(window.opens).time() == time(3, 30)


def test_repeated_autumn_time_means_the_first() -> None:
    window = install_window(date(2026, 10, 25), "Europe/Berlin", WindowRule(opens_at=time(2, 30)))
    assert window.opens == utc(2026, 10, 25, 0, 30)


def test_unknown_zone_is_an_admin_error() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        install_window(date(2026, 5, 5), "Mars/Olympus", DEFAULT)
    with pytest.raises(ConfigError):
        install_window(date(2026, 5, 5), "../etc/passwd", DEFAULT)


def test_rule_is_validated() -> None:
    with pytest.raises(ConfigError):
        WindowRule(days=0)
    from datetime import UTC

    with pytest.raises(ConfigError):
        WindowRule(opens_at=time(7, 0, tzinfo=UTC))


def test_code_lives_exactly_24_hours() -> None:
    issued = utc(2026, 5, 5, 7)
    assert timedelta(hours=24) == CODE_VALIDITY
    assert not code_is_live(issued, issued - US)
    assert code_is_live(issued, issued)
    assert code_is_live(issued, issued + timedelta(hours=24) - US)
    assert not code_is_live(issued, issued + timedelta(hours=24))
    assert code_is_live(issued, issued + timedelta(hours=2), validity=timedelta(hours=3))


def test_a_window_is_near_from_a_day_before_it_opens_until_it_closes() -> None:
    window = install_window(date(2026, 3, 17), "Europe/Paris", WindowRule())
    assert window.opens == utc(2026, 3, 17, 6) and window.closes == utc(2026, 3, 18, 23)
    assert not window.is_near(utc(2026, 3, 16, 5, 59), RECHECK_LEAD)
    assert window.is_near(utc(2026, 3, 16, 6), RECHECK_LEAD)
    assert window.is_near(utc(2026, 3, 18, 22, 59), RECHECK_LEAD)
    assert not window.is_near(utc(2026, 3, 18, 23), RECHECK_LEAD)
    assert not window.is_near(utc(2026, 3, 16, 6), timedelta(0)) and window.is_near(window.opens, timedelta(0))
