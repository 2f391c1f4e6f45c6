"""The SipDeviceInventory port over Graph's teamwork devices listing (teamwork_devices.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teams_sip.adapters.graph.teamwork_devices import as_observed, list_sip_devices
from teams_sip.domain.lifecycle.inputs import ObservedDevice


class TeamworkInventory:
    def __init__(self, session: Callable[[], Any]) -> None:
        self._session = session  # the process's GraphSession, opened on first use

    def observed(self) -> dict[str, ObservedDevice]:
        return as_observed(list_sip_devices(self._session()))
