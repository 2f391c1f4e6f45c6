"""Test support: a small twin of Teams' device list and an apply() that carries out a plan the way
the executor must (intent before each call, settle after), with a crash point to stop anywhere."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from teams_sip.domain.lifecycle.actions import IssueCodes, Plan, Register, ReleaseRemoved, RenewCode
from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState, RosterEntry, Verdict
from teams_sip.domain.lifecycle.outcomes import (
    intend,
    settle_already_activated,
    settle_code,
    settle_not_registered,
    settle_registered,
    settle_released,
)
from teams_sip.domain.lifecycle.records import DeviceRecord, IntentKind
from teams_sip.domain.roster_row import RosterRow
from teams_sip.domain.secrets import Secret
from teams_sip.domain.sites import Region, Site

FINGERPRINT_KEY = b"lifecycle-test-fingerprint-key"  # the service's comes from Wiring.fingerprint_key

SITES = {
    "Berlin": Site("Berlin", Region.EMEA, "Europe/Berlin"),
    "New York": Site("New York", Region.NOAM, "America/New_York"),
    "Tokyo": Site("Tokyo", Region.APAC, "Asia/Tokyo"),
    "Pune": Site("Pune", Region.APAC, "Asia/Kolkata"),
    "Honolulu": Site("Honolulu", Region.NOAM, "Pacific/Honolulu"),
}


def entry(
    hid: str = "0003717C0E0A",
    site: str = "Berlin",
    install: date | None = date(2026, 5, 5),
    verdict: Verdict = Verdict.ELIGIBLE,
    upn: str = "ana@contoso.example",
) -> RosterEntry:
    return RosterEntry(RosterRow(hid, "dect", upn, "Ana", "user", site, install), verdict)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class SimulatedCrashError(Exception):
    """Raised by apply() at the chosen step, as if the process died there."""


@dataclass
class TeamsDevice:
    state: ObservedState
    code: Secret | None = None
    code_expires_at: datetime | None = None
    delivered: bool = False  # the live code reached a record (and so a worksheet)
    user: str | None = None


@dataclass
class TeamsTwin:
    devices: dict[str, TeamsDevice] = field(default_factory=dict)
    issued: list[tuple[str, datetime, bool]] = field(default_factory=list)  # (hid, at, replaced a delivered live code)
    _codes: itertools.count[int] = field(default_factory=lambda: itertools.count(100000))

    def observed(self) -> dict[str, ObservedDevice]:
        return {
            hid: ObservedDevice(
                hid, d.state, d.user, None, d.code_expires_at if d.state.value.startswith("waiting_on") else None
            )
            for hid, d in self.devices.items()
        }

    def register(self, hid: str) -> None:
        self.devices.setdefault(hid, TeamsDevice(ObservedState.WAITING_ON_ACTIVATION))

    def issue(self, hid: str, now: datetime) -> tuple[Secret, datetime] | str:
        """A new code (replacing the previous one), or the contract's error code."""
        device = self.devices.get(hid)
        if device is None:
            return "notRegistered"
        if device.state != ObservedState.WAITING_ON_ACTIVATION:
            return "alreadyActivated"
        live_delivered = device.delivered and device.code_expires_at is not None and now < device.code_expires_at
        self.issued.append((hid, now, live_delivered))
        device.code = Secret(str(next(self._codes)))
        device.code_expires_at = now + timedelta(hours=24)
        device.delivered = False
        return device.code, device.code_expires_at

    def dial(self, hid: str, now: datetime) -> bool:
        device = self.devices.get(hid)
        if device is None or device.code is None or device.code_expires_at is None or now >= device.code_expires_at:
            return False
        if device.state != ObservedState.WAITING_ON_ACTIVATION or not device.delivered:
            return False  # only a technician holding the worksheet can dial
        device.state, device.code, device.code_expires_at = ObservedState.WAITING_FOR_SIGN_IN, None, None
        return True

    def sign_in(self, hid: str, upn: str) -> None:
        device = self.devices[hid]
        if device.state == ObservedState.WAITING_FOR_SIGN_IN:
            device.state, device.user = ObservedState.SIGNED_IN, upn

    def remove(self, hid: str) -> None:
        if hid in self.devices and self.devices[hid].state == ObservedState.WAITING_ON_ACTIVATION:
            del self.devices[hid]


def apply(
    plan: Plan, records: dict[str, DeviceRecord], teams: TeamsTwin, now: datetime, crash_at: int | None = None
) -> dict[str, DeviceRecord]:
    """Store the plan's records, then carry out its Teams calls; `records` is updated in place as a
    store would be, so a SimulatedCrashError leaves exactly what a killed process leaves."""
    records.update(plan.records)
    steps = itertools.count()

    def tick() -> None:
        if next(steps) == crash_at:
            raise SimulatedCrashError

    for action in plan.actions:
        if isinstance(action, Register):
            hid = action.hardware_id
            tick()
            records[hid] = intend(records[hid], IntentKind.REGISTER, now, action.cause)
            tick()
            teams.register(hid)
            tick()
            records[hid] = settle_registered(records[hid], now)
        elif isinstance(action, IssueCodes | RenewCode):
            hids = action.hardware_ids if isinstance(action, IssueCodes) else (action.hardware_id,)
            tick()
            for hid in hids:
                records[hid] = intend(records[hid], IntentKind.ISSUE_CODE, now, "issue")
            tick()
            results = {hid: teams.issue(hid, now) for hid in hids}
            tick()
            for hid, answer in results.items():
                if answer == "notRegistered":
                    records[hid] = settle_not_registered(records[hid], now)
                elif answer == "alreadyActivated":
                    records[hid] = settle_already_activated(records[hid], now)
                else:
                    assert not isinstance(answer, str)
                    records[hid] = settle_code(records[hid], answer[0], answer[1], now, fingerprint_key=FINGERPRINT_KEY)
                    teams.devices[hid].delivered = True
        elif isinstance(action, ReleaseRemoved) and action.remove_in_teams:
            hid = action.hardware_id
            tick()
            records[hid] = intend(records[hid], IntentKind.RELEASE, now, "release")
            tick()
            teams.remove(hid)
            tick()
            records[hid] = settle_released(records[hid])
    return records
