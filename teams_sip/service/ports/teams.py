"""What Teams itself lists of the SIP devices that signed in (assisted mode has no provisioning
list to ask): the lifecycle's observed states, by hardware id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from teams_sip.domain.lifecycle.inputs import ObservedDevice


@dataclass(frozen=True)
class SipListing:
    """One reading of the inventory: the devices listed, or None with why it could not be read (a beta
    API Microsoft announced for deprecation may be forbidden, retired, failing or slow)."""

    observed: dict[str, ObservedDevice] | None
    reason: str = ""


class SipDeviceInventory(Protocol):
    def read(self) -> SipListing:
        """Every SIP device Teams lists now, by hardware id; never raises for a listing that fails."""
        ...
