"""Assisted mode, second half: the admin generated codes in Teams admin center and uploads the export.

Each matched code settles its handset's pending code request (recorded by the pass that asked the
admin) and is put on the site's worksheet. Every row gets a result; a row that cannot be applied
(unknown handset, no code requested, expired, malformed) changes nothing, and the codes
themselves appear only on worksheets, never in results, logs or the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import PurePath
from typing import Any

from teams_sip.domain.assisted import ImportedCode, read_code_export
from teams_sip.domain.lifecycle.outcomes import settle_code
from teams_sip.domain.lifecycle.records import DeviceRecord, IntentKind
from teams_sip.domain.lifecycle.states import IllegalTransitionError
from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.csv_file import read_csv
from teams_sip.importing.options import ImportOptions
from teams_sip.importing.xlsx_file import ZIP_MAGIC, read_xlsx
from teams_sip.service.device_store import StoredDevice
from teams_sip.service.executor import DeliveredCode
from teams_sip.service.ports.store import ConflictError
from teams_sip.service.renewal import delivery_for
from teams_sip.service.rollout import Rollout

MAX_EXPORT_ROWS = 10_000


@dataclass(frozen=True)
class RowResult:
    row: int
    status: str  # "settled" or "rejected"
    message: str
    hardware_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "status": self.status, "hardware_id": self.hardware_id, "message": self.message}


@dataclass
class CodeImportOutcome:
    results: list[RowResult] = field(default_factory=list)

    @property
    def settled(self) -> int:
        return sum(1 for r in self.results if r.status == "settled")

    def to_dict(self) -> dict[str, Any]:
        rows = sorted(self.results, key=lambda r: r.row)
        return {"summary": {"settled": self.settled, "rejected": len(rows) - self.settled},
                "rows": [r.to_dict() for r in rows]}


def read_table(data: bytes, filename: str, options: ImportOptions) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV or XLSX export; ImportRefused when the file cannot be read at all."""
    options = replace(options, max_rows=MAX_EXPORT_ROWS)
    rows: Sequence[object]
    if data.startswith(ZIP_MAGIC) or PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        rows = read_xlsx(data, filename, options, MAX_EXPORT_ROWS + 1).rows
    else:
        rows = read_csv(data, options).rows
    cells = [_texts(row) for row in rows]
    while cells and not any(c.strip() for c in cells[0]):
        cells.pop(0)
    if not cells:
        raise ImportRefused(f"{filename} is empty: export the codes from Teams admin center and upload that file.")
    if len(cells) > MAX_EXPORT_ROWS:
        raise ImportRefused(f"{filename} has more than {MAX_EXPORT_ROWS:,} rows; a code export is never that long.")
    return cells[0], cells[1:]


def _texts(row: object) -> list[str]:
    """A reader's row as text cells; readers give either the cells or (row number, cells)."""
    if isinstance(row, tuple) and len(row) == 2 and isinstance(row[0], int):
        row = row[1]
    return [c if isinstance(c, str) else "" for c in row] if isinstance(row, list | tuple) else []


def import_codes(rollout: Rollout, data: bytes, filename: str, *, actor: str, correlation_id: str
                 ) -> CodeImportOutcome:
    svc = rollout.ports
    opts = svc.settings.rollout
    header, rows = read_table(data, filename, ImportOptions(max_bytes=opts.import_max_mb * 1024 * 1024))
    now = svc.clock.now()
    stored = {s.record.hardware_id: s for s in rollout.devices.all()}
    parsed = read_code_export(header, rows, stored, now, _asked_at(stored.values()))
    outcome = CodeImportOutcome([RowResult(e.row, "rejected", f"{e.column}: {e.message}") for e in parsed.errors])
    ready: list[tuple[ImportedCode, StoredDevice, DeviceRecord]] = []
    for code in parsed.codes:
        current = stored[code.hardware_id]
        problem, settled = _check(code, current.record, now, rollout.ports.fingerprint_key)
        if settled is None:
            outcome.results.append(RowResult(code.row, "rejected", problem, code.hardware_id))
        else:
            ready.append((code, current, settled))
    failed: dict[str, str] = {}
    if ready:  # onto the worksheet before the records settle, as the executor does
        failed = dict(delivery_for(rollout)([DeliveredCode(c.hardware_id, s.record.site, s.record.install_date,
                                                           c.code, c.expires_at, c.generated_after)
                                             for c, s, _ in ready]))
    for code, current, settled in ready:
        if code.hardware_id in failed:  # its site's worksheet could not be written: keep it asked for
            outcome.results.append(RowResult(code.row, "rejected", failed[code.hardware_id], code.hardware_id))
            continue
        try:
            rollout.devices.save(current, settled)
        except ConflictError:
            message = "a reconciliation pass changed this handset meanwhile; upload the file again"
            outcome.results.append(RowResult(code.row, "rejected", message, code.hardware_id))
            continue
        outcome.results.append(RowResult(code.row, "settled", "code put on the worksheet", code.hardware_id))
    rollout.audit.record(now, actor, "codes-import", filename, correlation_id,
                         {"settled": outcome.settled, "rejected": len(outcome.results) - outcome.settled})
    return outcome


def _asked_at(stored: Iterable[StoredDevice]) -> dict[str, datetime]:
    """When teams-sip first asked the admin for each pending code (the intent keeps its first time)."""
    return {s.record.hardware_id: s.record.pending.at for s in stored
            if s.record.pending is not None and s.record.pending.kind == IntentKind.ISSUE_CODE}


def _check(code: ImportedCode, record: DeviceRecord, now: datetime, key: bytes) -> tuple[str, DeviceRecord | None]:
    pending = record.pending
    if pending is None or pending.kind != IntentKind.ISSUE_CODE:
        return "no code was requested for this handset; teams-sip asks for codes when its install window opens", None
    if record.install_date is None:
        return "the handset has no install date, so no worksheet can hold its code", None
    if code.expires_at <= now and code.generated_after is not None:
        return ("the export has no expiry and teams-sip asked for this code more than 24 hours ago, so it may "
                "have lapsed; export the codes with their expiry, or generate a new one in Teams admin center"), None
    if code.expires_at <= now:
        return "this code has already expired; generate a new one in Teams admin center", None
    try:
        return "", settle_code(record, code.code, code.expires_at, now, fingerprint_key=key)
    except IllegalTransitionError as exc:
        return str(exc), None
