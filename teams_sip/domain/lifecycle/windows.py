"""Install windows: when a handset may receive a verification code.

A code lives 24 hours (docs/microsoft.md, verification codes), so it is issued on the day of installation and
not before: the window opens at a local time on the install date at the handset's site (default
07:00) and closes at local midnight at the end of the window (default the install day plus one
day). Local times are turned into UTC through zoneinfo, so daylight-saving days are exact (a
23- or 25-hour day is still one local day). A local time that occurs twice (autumn) means the
first; one that does not exist (inside a spring-forward gap) lands as far after the gap as it
lay inside it (02:30 -> 03:30).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from teams_sip.errors import ConfigError

CODE_VALIDITY = timedelta(hours=24)  # documented: codes are valid 24 hours, also in bulk
RECHECK_LEAD = timedelta(days=1)
"""How long before a handset's window a not-eligible user is worth asking Graph about again: a fix
made the day before still gets the handset registered before the technician arrives."""


@dataclass(frozen=True)
class WindowRule:
    """When windows open and how many local days they span (2 = install day plus one day)."""

    opens_at: time = time(7, 0)
    days: int = 2

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ConfigError("The install window must span at least one day (window days >= 1).")
        if self.opens_at.tzinfo is not None:
            raise ConfigError("The install window opening time is a local time: give it without a time zone.")


@dataclass(frozen=True)
class InstallWindow:
    """One device's window as UTC instants: open from `opens` (inclusive) to `closes` (exclusive)."""

    opens: datetime
    closes: datetime
    time_zone: str

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now < self.closes

    def has_closed(self, now: datetime) -> bool:
        return now >= self.closes

    def is_near(self, now: datetime, lead: timedelta) -> bool:
        """From `lead` before it opens until it closes: while knowing the user can still change what
        happens to the handset (register it the day before, code it on the day)."""
        return self.opens - lead <= now < self.closes

    def next_open(self, now: datetime) -> datetime | None:
        """The earliest moment from `now` at which a code may be issued; None once it has closed."""
        if now < self.opens:
            return self.opens
        return now if now < self.closes else None

    def local(self, moment: datetime) -> datetime:
        """`moment` in the site's local time, for messages and worksheets."""
        return moment.astimezone(ZoneInfo(self.time_zone))


def site_zone(time_zone: str) -> ZoneInfo:
    """The zone for a site; ConfigError (naming the value) when the name is not an IANA zone."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"Time zone {time_zone!r} is not known. Use an IANA name such as 'Europe/Berlin' or 'America/New_York'."
        ) from exc


@lru_cache(maxsize=4096)  # a pass asks once per device; sites x install dates are few
def install_window(install_date: date, time_zone: str, rule: WindowRule) -> InstallWindow:
    zone = site_zone(time_zone)
    opens = _local_to_utc(datetime.combine(install_date, rule.opens_at), zone)
    closes = _local_to_utc(datetime.combine(install_date + timedelta(days=rule.days), time(0, 0)), zone)
    return InstallWindow(opens=opens, closes=closes, time_zone=time_zone)


def code_is_live(issued_at: datetime, now: datetime, validity: timedelta = CODE_VALIDITY) -> bool:
    """Whether a code issued at `issued_at` can still be dialled at `now`."""
    return issued_at <= now < issued_at + validity


def _local_to_utc(naive: datetime, zone: ZoneInfo) -> datetime:
    """Local wall time to UTC with fold=0: the earlier of two repeated times, and a time inside a
    spring-forward gap lands as far after the gap as it lay inside it."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
