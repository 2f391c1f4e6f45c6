"""Simulated SIP devices: the provisioning states Teams keeps for each hardware id, verification
codes, what a handset does (dial *55*code, sign in/out, go offline) and stale removal."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from teams_sip.domain.secrets import Secret
from teams_sip.simulator.invented import CODE_DIGITS

CODE_VALIDITY = timedelta(hours=24)
STALE_SIGNED_OUT = timedelta(days=14)
STALE_SIGNED_IN = timedelta(days=30)
WAITING_ON_ACTIVATION = "waitingOnActivation"
WAITING_FOR_SIGN_IN = "waitingForSignIn"
SIGNED_IN = "signedIn"


class DeviceActionError(Exception):
    """A handset action the real device would refuse (wrong or expired code, unknown user...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Device:
    hardware_id: str
    location: str
    registered_at: datetime
    teamwork_id: str
    state: str = WAITING_ON_ACTIVATION
    code: Secret | None = None
    code_expires_at: datetime | None = None
    activated_at: datetime | None = None
    signed_in_user: str | None = None  # UPN
    signed_in_user_id: str | None = None
    signed_in_name: str | None = None
    first_signed_in_at: datetime | None = None
    signed_out_at: datetime | None = None
    online: bool = False
    last_contact: datetime | None = None

    def last_seen(self, now: datetime) -> datetime | None:
        return now if self.online else self.last_contact

    def contract_json(self, now: datetime) -> dict[str, Any]:
        """The `Device` object of docs/provisioning-api.md (never the code itself)."""
        seen = self.last_seen(now)
        return {
            "hardwareId": self.hardware_id,
            "location": self.location,
            "state": self.state,
            "signedInUser": self.signed_in_user if self.state == SIGNED_IN else None,
            "lastSeen": _iso(seen),
            "codeExpiresAt": _iso(self.code_expires_at) if self.state == WAITING_ON_ACTIVATION else None,
            "registeredAt": _iso(self.registered_at),
        }


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Removal:
    hardware_id: str
    at: datetime
    reason: str  # "removed" | "staleSignedOut" | "staleSignedIn"


class DeviceRegistry:
    """Not thread-safe by itself: the World calls it under its lock."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.devices: dict[str, Device] = {}
        self.removals: list[Removal] = []
        self._order: list[Device] | None = None  # registration order; rebuilt only when devices come or go
        self._swept_at: datetime | None = None

    def in_order(self) -> list[Device]:
        """Devices by (registered at, hardware id), the listing's stable order, without sorting per page."""
        if self._order is None or len(self._order) != len(self.devices):
            self._order = sorted(self.devices.values(), key=lambda d: (d.registered_at, d.hardware_id))
        return self._order

    # --- provisioning API ---------------------------------------------------------------------
    def register(self, hardware_id: str, location: str, now: datetime) -> str:
        if hardware_id in self.devices:
            return "exists"
        self.devices[hardware_id] = Device(
            hardware_id, location, now, str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        )
        self._order = None
        return "created"

    def issue_code(self, hardware_id: str, now: datetime) -> tuple[Secret, datetime]:
        device = self.devices.get(hardware_id)
        if device is None:
            raise DeviceActionError("notRegistered", f"device {hardware_id} is not registered")
        if device.state != WAITING_ON_ACTIVATION:
            raise DeviceActionError("alreadyActivated", f"device {hardware_id} has already activated")
        device.code = Secret(f"{self._rng.randrange(10**CODE_DIGITS):0{CODE_DIGITS}d}")
        device.code_expires_at = now + CODE_VALIDITY
        return device.code, device.code_expires_at

    def remove(self, hardware_id: str, now: datetime) -> None:
        device = self.devices.get(hardware_id)
        if device is None:
            raise DeviceActionError("notFound", f"device {hardware_id} is not registered")
        if device.state != WAITING_ON_ACTIVATION:
            raise DeviceActionError(
                "alreadyActivated", f"device {hardware_id} has activated; only devices waiting on activation can go"
            )
        del self.devices[hardware_id]
        self._order = None
        self.removals.append(Removal(hardware_id, now, "removed"))

    # --- what the handset and its user do -----------------------------------------------------
    def dial(self, hardware_id: str, code: str, now: datetime) -> None:
        device = self._get(hardware_id)
        if device.state != WAITING_ON_ACTIVATION:
            raise DeviceActionError("alreadyActivated", f"device {hardware_id} has already activated")
        if device.code is None or device.code_expires_at is None:
            raise DeviceActionError("noCode", f"no verification code was issued for device {hardware_id}")
        if now >= device.code_expires_at:
            raise DeviceActionError("codeExpired", f"the verification code of device {hardware_id} has expired")
        if Secret(code.strip()) != device.code:
            raise DeviceActionError("wrongCode", f"wrong verification code for device {hardware_id}")
        device.state = WAITING_FOR_SIGN_IN
        device.code = None
        device.code_expires_at = None
        device.activated_at = now
        device.online = True
        device.last_contact = now

    def mark_signed_in(self, hardware_id: str, upn: str, user_id: str, name: str, now: datetime) -> None:
        device = self._get(hardware_id)
        if device.state == WAITING_ON_ACTIVATION:
            raise DeviceActionError("notActivated", f"device {hardware_id} has not been activated with a code")
        device.state = SIGNED_IN
        device.signed_in_user, device.signed_in_user_id, device.signed_in_name = upn, user_id, name
        device.first_signed_in_at = device.first_signed_in_at or now
        device.signed_out_at = None
        device.online = True
        device.last_contact = now

    def sign_out(self, hardware_id: str, now: datetime) -> None:
        device = self._get(hardware_id)
        if device.state != SIGNED_IN:
            raise DeviceActionError("notSignedIn", f"device {hardware_id} is not signed in")
        device.state = WAITING_FOR_SIGN_IN
        device.signed_in_user = device.signed_in_user_id = device.signed_in_name = None
        device.signed_out_at = now
        device.last_contact = now if device.online else device.last_contact

    def set_online(self, hardware_id: str, online: bool, now: datetime) -> None:
        device = self._get(hardware_id)
        if device.state == WAITING_ON_ACTIVATION:
            raise DeviceActionError("notActivated", f"device {hardware_id} has not been activated with a code")
        if device.online:
            device.last_contact = now
        device.online = online
        if online:
            device.last_contact = now

    def _get(self, hardware_id: str) -> Device:
        device = self.devices.get(hardware_id)
        if device is None:
            raise DeviceActionError("notRegistered", f"device {hardware_id} is not known to Teams")
        return device

    # --- time ---------------------------------------------------------------------------------
    def tick(self, now: datetime) -> None:
        """Removes stale devices as Teams does: signed out 14 days, signed in 30 days silent. Every
        change stamps the time it happens at, so nothing turns stale until the clock moves: a second
        sweep at the same time (each request sweeps) is skipped."""
        if now == self._swept_at:
            return
        self._swept_at = now
        for device in list(self.devices.values()):
            reason: str | None = None
            if device.state == WAITING_FOR_SIGN_IN:
                since = device.signed_out_at or device.activated_at
                if since is not None and now - since > STALE_SIGNED_OUT:
                    reason = "staleSignedOut"
            elif device.state == SIGNED_IN:
                seen = device.last_seen(now)
                if seen is not None and now - seen > STALE_SIGNED_IN:
                    reason = "staleSignedIn"
            if reason:
                del self.devices[device.hardware_id]
                self._order = None
                self.removals.append(Removal(device.hardware_id, now, reason))
