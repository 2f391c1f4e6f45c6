"""What a pass in assisted mode takes from the SIP device inventory (Graph beta teamwork devices).

The listing is a beta API Microsoft announced for deprecation, so it may fail, vanish or answer
empty. None of that stops a pass: registering, codes, worksheets, mails and sign-in go on, the
report says once why the inventory could not be used, and no handset changes state for it (the plan
gets no observation at all, which is not the same as every handset missing). A 200 that lists none
of the handsets the inventory showed before is read the same way: Microsoft off-boards each device
after its own days without contact (domain/lifecycle/offboarding.py), never a whole fleet at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from teams_sip.domain.lifecycle.evidence import Source
from teams_sip.domain.lifecycle.inputs import ObservedDevice
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.records import DeviceRecord

if TYPE_CHECKING:
    from teams_sip.service.inventory import InventoryPass

UNAVAILABLE = "SIP device inventory unavailable: "
SWITCHED_OFF = "TEAMWORK_DEVICES is off, so it was not read; every handset keeps its state"


@dataclass(frozen=True)
class InventoryReading:
    """What the plan observes (None: nothing this pass) and the one line the report says about it."""

    observed: dict[str, ObservedDevice] | None
    note: str | None = None
    sources: InventoryPass | None = None  # assisted mode: every source's evidence, committed after the pass


def switched_off() -> InventoryReading:
    return InventoryReading(None, UNAVAILABLE + SWITCHED_OFF)


def reading(listed: Mapping[str, ObservedDevice] | None, reason: str,
            records: Mapping[str, DeviceRecord] | None) -> InventoryReading:
    """`listed` None: the listing failed for `reason`. An empty listing while records say the
    inventory showed handsets before is taken as no answer too."""
    if listed is None:
        return InventoryReading(None, UNAVAILABLE + (reason or "the listing failed"))
    known = _listed_before(records or {})
    if not listed and known:
        return InventoryReading(None, UNAVAILABLE + f"Teams listed no SIP devices while {known} handset(s) were "
                                "listed before; a whole fleet is never off-boarded at once, so nothing is changed")
    return InventoryReading(dict(listed))


def _listed_before(records: Mapping[str, DeviceRecord]) -> int:
    """Handsets whose absence from the inventory would count (signed in, or signed out since), those
    already missing included: a fleet that thinned out and then vanished whole is still no answer."""
    rules = Offboarding()
    return sum(1 for r in records.values() if rules.limit(r) is not None)


def teamwork_note(reading: InventoryPass, switched_on: bool) -> str | None:
    """The line a pass's report says when it had no SIP device listing (None: it had one)."""
    if reading.listing is not None:
        return None
    if not switched_on:
        return switched_off().note
    failed = next((r for r in reading.readings if r.source == Source.TEAMWORK_DEVICES), None)
    return None if failed is None else UNAVAILABLE + (failed.health.reason or "the listing failed")
