"""The observation port: where a pass in assisted mode learns what happened to its handsets.

Each inventory source (Graph beta teamwork devices, Entra sign-in logs, bulk sign-in results, the
admin's export of the Teams admin center's SIP device list, technicians' marks) is one adapter
behind `InventorySource`. Each is optional and says how it fared (`SourceHealth`): a source that
fails costs only its own statements, never the pass. What the statements mean for each handset is
the domain's business (domain/lifecycle/evidence.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from teams_sip.domain.lifecycle.evidence import Source, Statement
from teams_sip.domain.lifecycle.inputs import ObservedDevice
from teams_sip.domain.lifecycle.records import DeviceRecord


@dataclass(frozen=True)
class SourceHealth:
    """`ok` False: the source could not be read this pass (`reason` says why). `current_to`: what
    the source reported is complete up to this time (a log read up to its newest entry, a listing
    read at this moment, an export made then)."""

    ok: bool
    current_to: datetime | None = None
    reason: str = ""


@dataclass(frozen=True)
class SourceReading:
    source: Source
    health: SourceHealth
    statements: tuple[Statement, ...] = ()
    # A listing of every SIP device Teams knows (teamwork devices), absence included; None otherwise.
    listing: Mapping[str, ObservedDevice] | None = None
    # Called once the pass has saved what it concluded (a log's read mark moves on only then).
    commit: Callable[[], None] = field(default=lambda: None, compare=False)


class InventorySource(Protocol):
    source: Source

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        """Never raises for the source's own failures: they come back as an unhealthy reading."""
        ...
