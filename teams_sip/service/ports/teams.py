"""What Teams itself lists of the SIP devices that signed in (assisted mode has no provisioning
list to ask): the lifecycle's observed states, by hardware id."""

from __future__ import annotations

from typing import Protocol

from teams_sip.domain.lifecycle.inputs import ObservedDevice


class SipDeviceInventory(Protocol):
    def observed(self) -> dict[str, ObservedDevice]:
        """Every SIP device Teams lists now, by hardware id; raises TeamsSipError when it cannot be read."""
        ...
