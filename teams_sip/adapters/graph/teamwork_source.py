"""Graph beta teamwork devices as one inventory source (service/ports/inventory.py).

The listing is the only source that shows every signed-in SIP device at once, so it is the one
whose silence about a handset counts (towards off-boarding). Every listed device is also a
statement ("signed in as ...", or "activated" for a listed device without a user), kept on the
record for the admin page; unchanged statements are re-stamped at most daily (evidence.REFRESH).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from teams_sip.adapters.graph.teamwork_devices import as_observed, read_sip_inventory
from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, Statement
from teams_sip.domain.lifecycle.inputs import ObservedState
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.service.ports.inventory import SourceHealth, SourceReading
from teams_sip.service.sip_inventory import UNAVAILABLE, reading


class TeamworkDevicesSource:
    source = Source.TEAMWORK_DEVICES

    def __init__(self, graph: Any) -> None:
        self._graph = graph

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        listing = read_sip_inventory(self._graph)
        listed = None if listing.devices is None else as_observed(listing.devices)
        result = reading(listed, listing.reason, records)
        if result.observed is None:
            reason = (result.note or "").removeprefix(UNAVAILABLE)
            return SourceReading(self.source, SourceHealth(False, reason=reason))
        statements = tuple(
            Statement(Evidence(self.source, Said.SIGNED_IN if o.state == ObservedState.SIGNED_IN else Said.ACTIVATED,
                               now, o.signed_in_user), hardware_id=hid)
            for hid, o in result.observed.items() if o.state != ObservedState.WAITING_ON_ACTIVATION)
        return SourceReading(self.source, SourceHealth(True, now), statements, listing=result.observed)
