"""ProvisioningPort in memory, with the handset's side (dial a code, sign in) for tests."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from teams_sip.domain.secrets import Secret
from teams_sip.errors import InputError
from teams_sip.service.ports.provisioning import (
    DEVICE_STATES,
    DeviceAlreadyActivatedError,
    DeviceRegistration,
    DeviceState,
    IssuedCode,
    ProvisionedDevice,
    RegisterResult,
    hardware_id,
)

CODE_VALIDITY = timedelta(hours=24)


@dataclass
class _Held:
    device: ProvisionedDevice
    code: Secret | None = None


class MemoryProvisioning:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._devices: dict[str, _Held] = {}
        self._lock = threading.Lock()
        self._codes = itertools.count(10_000_000)
        self.calls: list[tuple[str, tuple[str, ...]]] = []  # (operation, hardware ids) that changed Teams

    def register(self, devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        clean = [DeviceRegistration(hardware_id(d.hardware_id), d.location.strip()) for d in devices]
        for device in clean:
            if not device.location:
                raise InputError(f"Device {device.hardware_id} has no location; TAC needs one for every device.")
        with self._lock:
            self.calls.append(("register", tuple(d.hardware_id for d in clean)))
            out = []
            for d in clean:
                if d.hardware_id in self._devices:
                    out.append(RegisterResult(d.hardware_id, "exists"))
                    continue
                self._devices[d.hardware_id] = _Held(ProvisionedDevice(d.hardware_id, d.location,
                                                                       "waitingOnActivation", self._now()))
                out.append(RegisterResult(d.hardware_id, "created"))
            return out

    def issue_codes(self, hardware_ids: Sequence[str]) -> list[IssuedCode]:
        clean = [hardware_id(h) for h in hardware_ids]
        with self._lock:
            self.calls.append(("issue_codes", tuple(clean)))
            return [self._issue(hid) for hid in clean]

    def _issue(self, hid: str) -> IssuedCode:
        held = self._devices.get(hid)
        if held is None:
            return IssuedCode(hid, error_code="notRegistered", error_message=f"device {hid} is not registered")
        if held.device.state != "waitingOnActivation":
            return IssuedCode(hid, error_code="alreadyActivated", error_message=f"device {hid} has already activated")
        expires = self._now() + CODE_VALIDITY
        held.code = Secret(f"{next(self._codes):08d}")
        held.device = replace(held.device, code_expires_at=expires)
        return IssuedCode(hid, held.code, expires)

    def list_devices(self, state: DeviceState | None = None) -> list[ProvisionedDevice]:
        if state is not None and state not in DEVICE_STATES:
            raise InputError(f"Unknown device state {state!r}; expected one of {', '.join(DEVICE_STATES)}.")
        with self._lock:
            found = sorted((h.device for h in self._devices.values()), key=lambda d: (d.registered_at, d.hardware_id))
        return [d for d in found if state is None or d.state == state]

    def get(self, hardware_id_: str) -> ProvisionedDevice | None:
        with self._lock:
            held = self._devices.get(hardware_id(hardware_id_))
            return None if held is None else held.device

    def remove(self, hardware_id_: str) -> bool:
        hid = hardware_id(hardware_id_)
        with self._lock:
            self.calls.append(("remove", (hid,)))
            held = self._devices.get(hid)
            if held is None:
                return False
            if held.device.state != "waitingOnActivation":
                raise DeviceAlreadyActivatedError(f"device {hid} has activated; only devices waiting on activation "
                                                  "can go", status=409, code="alreadyActivated")
            del self._devices[hid]
            return True

    # --- the handset's side ---------------------------------------------------------------------
    def dial(self, hardware_id_: str, code: str) -> None:
        """The technician dials *55*<code>: the device activates when the code is its live one."""
        hid = hardware_id(hardware_id_)
        with self._lock:
            held = self._devices[hid]
            expires = held.device.code_expires_at
            if held.code is None or Secret(code) != held.code or expires is None or self._now() >= expires:
                raise ValueError(f"device {hid} refuses the code")
            held.code = None
            held.device = replace(held.device, state="waitingForSignIn", code_expires_at=None, last_seen=self._now())

    def sign_in(self, hardware_id_: str, upn: str) -> None:
        hid = hardware_id(hardware_id_)
        with self._lock:
            held = self._devices[hid]
            held.device = replace(held.device, state="signedIn", signed_in_user=upn, last_seen=self._now())
