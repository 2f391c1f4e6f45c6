"""What people hand in about handsets between passes: the admin's export of the Teams admin center's
SIP device list (`teams-sip inventory FILE`, `POST api/inventory`; taken as complete as of its upload,
so a handset it no longer shows is "unlisted" then: device_export.absences), and technicians' marks ("dialled",
"signed in"; `POST api/devices/{id}/mark`). Both are read whole and checked before anything is kept,
then wait in the inventory inbox (inventory_inbox.py), where every pass for a week takes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from teams_sip import unverified
from teams_sip.domain.identifiers import parse_identifier
from teams_sip.domain.lifecycle.device_export import absences, read_device_export
from teams_sip.domain.lifecycle.evidence import Evidence, Said, Source, Statement
from teams_sip.errors import InputError
from teams_sip.importing.options import ImportOptions
from teams_sip.service.code_import import read_table
from teams_sip.service.inventory_inbox import Inbox
from teams_sip.service.rollout import Rollout

MARKS = {"dialled": Said.ACTIVATED, "dialed": Said.ACTIVATED, "signed in": Said.SIGNED_IN,
         "signed-in": Said.SIGNED_IN, "signed_in": Said.SIGNED_IN}


@dataclass
class InventoryUpload:
    accepted: int = 0
    ignored: int = 0
    unlisted: int = 0  # handsets Teams should list that the export (a complete listing) does not show
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": {"accepted": self.accepted, "ignored": self.ignored, "unlisted": self.unlisted,
                            "rejected": len(self.errors)},
                "rows": self.errors, "applied": "at the next reconciliation pass"}


def upload_inventory(rollout: Rollout, data: bytes, filename: str, *, actor: str, correlation_id: str
                     ) -> InventoryUpload:
    """InputError (nothing kept) for a file that is not a readable SIP device export."""
    svc = rollout.ports
    header, rows = read_table(data, filename, ImportOptions(max_bytes=svc.settings.rollout.import_max_mb << 20))
    now = svc.clock.now()
    known = {s.record.hardware_id: s.record for s in rollout.devices.all()}
    export = read_device_export(header, rows, known, now)
    unlisted = absences(export, known, now) if unverified.TAC_EXPORT_IS_COMPLETE else ()
    Inbox(svc.store).add((*export.statements, *unlisted), now)
    outcome = InventoryUpload(len(export.statements), export.ignored, len(unlisted),
                              [{"row": e.row, "column": e.column, "message": e.message} for e in export.errors])
    rollout.audit.record(now, actor, "inventory-upload", filename, correlation_id, outcome.to_dict()["summary"])
    return outcome


def mark_handset(rollout: Rollout, hardware_id: str, mark: str, *, actor: str, correlation_id: str) -> Evidence:
    """A technician's word about one handset, recorded as such (it never beats a later word from Teams)."""
    said = MARKS.get(" ".join(mark.casefold().split()))
    if said is None:
        raise InputError(f"Unknown mark '{mark[:40]}': use 'dialled' or 'signed in'.")
    hid = hardware_id.strip().upper()  # the id the devices API shows, or as a technician types it
    if rollout.devices.get(hid) is None:
        parsed = parse_identifier(hardware_id)
        hid = parsed.identity.hardware_id if parsed.identity is not None else ""
    if not hid or rollout.devices.get(hid) is None:
        raise InputError(f"'{hardware_id[:40]}' is not a handset teams-sip knows.")
    now = rollout.ports.clock.now()
    evidence = Evidence(Source.TECHNICIAN, said, now, None, f"marked by {actor}")
    Inbox(rollout.ports.store).add([Statement(evidence, hid)], now)
    rollout.audit.record(now, actor, "mark", hid, correlation_id, {"said": said.value})
    return evidence
