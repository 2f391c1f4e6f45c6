"""The SipDeviceInventory port over Graph's teamwork devices listing (teamwork_devices.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teams_sip.adapters.graph.teamwork_devices import as_observed, read_sip_inventory
from teams_sip.service.ports.teams import SipListing


class TeamworkInventory:
    def __init__(self, session: Callable[[], Any]) -> None:
        self._session = session  # the process's GraphSession, opened on first use

    def read(self) -> SipListing:
        listing = read_sip_inventory(self._session())
        return SipListing(None if listing.devices is None else as_observed(listing.devices), listing.reason)
