"""What a reconciliation pass decided: typed actions plus the records they start from.

Actions that call Teams (Register, IssueCodes, RenewCode, ReleaseRemoved with `remove_in_teams`)
are carried out by the executor, which records an intent before each call and settles it after.
The Mark* actions and Notify describe changes already made to the plan's records; they exist so
the executor can report and notify without diffing records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord
from teams_sip.domain.lifecycle.windows import WindowRule
from teams_sip.errors import ConfigError

_A = TypeVar("_A")


@dataclass(frozen=True)
class PlanPolicy:
    window: WindowRule = field(default_factory=WindowRule)
    max_renewals: int = 2  # codes after the first one, per install date
    remove_released_in_teams: bool = False
    # False when what Teams reports lists only activated devices (assisted mode reads the Graph
    # teamwork devices list): then absence says nothing about devices waiting on activation.
    teams_lists_pending: bool = True
    # None: what Teams reports is its own list, so a device gone from it was removed (API mode).
    # Set (assisted mode): the SIP device inventory, where a handset is stale only after missing
    # from it as long as Microsoft's off-boarding rules say (offboarding.py).
    offboarding: Offboarding | None = None

    def __post_init__(self) -> None:
        if self.max_renewals < 0:
            raise ConfigError("The maximum number of code renewals per install window cannot be negative.")


@dataclass(frozen=True)
class Register:
    hardware_id: str
    site: str
    cause: str


@dataclass(frozen=True)
class IssueCodes:
    """First codes for devices of one site and install date: one bulk provisioning call."""

    site: str
    install_date: date
    hardware_ids: tuple[str, ...]
    window_closes: datetime


@dataclass(frozen=True)
class RenewCode:
    hardware_id: str
    site: str
    install_date: date
    attempt: int  # 1 for the first renewal
    cause: str
    window_closes: datetime


@dataclass(frozen=True)
class MarkActivated:
    hardware_id: str


@dataclass(frozen=True)
class MarkSignedIn:
    hardware_id: str
    user: str | None


@dataclass(frozen=True)
class MarkStale:
    hardware_id: str


@dataclass(frozen=True)
class MarkUnknownInTeams:
    hardware_id: str


@dataclass(frozen=True)
class ReleaseRemoved:
    """The roster no longer names the device. Teams is asked to remove it only when it has not
    activated (Teams refuses otherwise) and the tenant's policy says so."""

    hardware_id: str
    remove_in_teams: bool


@dataclass(frozen=True)
class Notify:
    """Something only a person can resolve; sent once per reason, when the reason appears."""

    hardware_id: str
    site: str
    reason: Attention
    message: str


Action = (
    Register
    | IssueCodes
    | RenewCode
    | MarkActivated
    | MarkSignedIn
    | MarkStale
    | MarkUnknownInTeams
    | ReleaseRemoved
    | Notify
)

# Actions that call Teams and must be recorded as intended first.
TEAMS_CALLS = (Register, IssueCodes, RenewCode)


@dataclass(frozen=True)
class Plan:
    now: datetime
    actions: tuple[Action, ...]
    records: Mapping[str, DeviceRecord]  # new or changed records only, keyed by hardware id

    def of_type(self, kind: type[_A]) -> list[_A]:
        return [a for a in self.actions if isinstance(a, kind)]

    def touches_teams(self) -> bool:
        return any(
            isinstance(a, TEAMS_CALLS) or (isinstance(a, ReleaseRemoved) and a.remove_in_teams) for a in self.actions
        )
