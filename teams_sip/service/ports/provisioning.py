"""The provisioning port: what the lifecycle needs from "Waiting on activation" in Teams.

Register hardware ids with a location, issue verification codes just in time, list and read
devices with their state, remove one that never activated. The API adapter speaks
docs/provisioning-api.md; codes travel only as Secret so no log or report can show one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from teams_sip.domain.secrets import Secret
from teams_sip.errors import InputError, TeamsSipError

DeviceState = Literal["waitingOnActivation", "waitingForSignIn", "signedIn"]
DEVICE_STATES: tuple[DeviceState, ...] = ("waitingOnActivation", "waitingForSignIn", "signedIn")
RegisterStatus = Literal["created", "exists", "failed"]
AWAITING_ADMIN = "awaitingAdmin"  # IssuedCode.error_code in assisted mode: the admin generates codes in TAC

_HEX12 = re.compile(r"^[0-9A-F]{12}$")


def hardware_id(value: str) -> str:
    """The contract's form: 12 upper-case hex digits, no separators ("00-03-71-7C-0E-0A" accepted)."""
    compact = re.sub(r"[-:.\s]", "", value).upper()
    if not _HEX12.match(compact):
        raise InputError(f"{value!r} is not a hardware id: expected 12 hex digits such as 00-03-71-7C-0E-0A.")
    return compact


@dataclass(frozen=True)
class DeviceRegistration:
    hardware_id: str
    location: str


@dataclass(frozen=True)
class RegisterResult:
    hardware_id: str
    status: RegisterStatus
    error: str | None = None


@dataclass(frozen=True)
class IssuedCode:
    """A verification code for one device, or why none was issued (notRegistered, alreadyActivated)."""

    hardware_id: str
    code: Secret | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is not None


@dataclass(frozen=True)
class ProvisionedDevice:
    hardware_id: str
    location: str
    state: DeviceState
    registered_at: datetime
    signed_in_user: str | None = None
    last_seen: datetime | None = None
    code_expires_at: datetime | None = None


class ProvisioningError(TeamsSipError):
    """The provisioning service refused or failed a request after retries."""

    def __init__(self, message: str, *, status: int = 0, code: str = "unknown") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class DeviceAlreadyActivatedError(ProvisioningError):
    """Only devices still waiting on activation can be removed (Teams removes the rest itself)."""


class ProvisioningPort(Protocol):
    def register(self, devices: Sequence[DeviceRegistration]) -> list[RegisterResult]:
        """Idempotent: a device already known answers `exists`, also after it activated."""
        ...

    def issue_codes(self, hardware_ids: Sequence[str]) -> list[IssuedCode]:
        """A new code replaces the device's previous one and is valid for 24 hours."""
        ...

    def list_devices(self, state: DeviceState | None = None) -> list[ProvisionedDevice]: ...

    def get(self, hardware_id: str) -> ProvisionedDevice | None: ...

    def remove(self, hardware_id: str) -> bool:
        """True when removed, False when unknown; DeviceAlreadyActivatedError after activation."""
        ...
