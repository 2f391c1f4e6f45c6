"""Importing a roster file: validate it whole, keep the file and its report, and make its accepted
rows the roster of the sites it names, in one step that either happens completely or not at all."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from teams_sip.domain.roster import ImportResult
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.roster_file import load_roster
from teams_sip.service.audit import AuditLog
from teams_sip.service.filenames import safe_filename
from teams_sip.service.json_text import readable_json
from teams_sip.service.ports.notifier import ArtifactStore
from teams_sip.service.roster_store import ImportRecord, RosterRow, RosterStore


@dataclass(frozen=True)
class ImportOutcome:
    """`import_id` is None when nothing was imported (every row rejected)."""

    import_id: str | None
    result: ImportResult


def import_id_for(data: bytes, at: datetime) -> str:
    return f"{at:%Y%m%dT%H%M%S}-{hashlib.sha256(data).hexdigest()[:10]}"


def import_roster(
    data: bytes,
    filename: str,
    *,
    actor: str,
    at: datetime,
    correlation_id: str,
    roster: RosterStore,
    artifacts: ArtifactStore,
    audit: AuditLog,
    options: ImportOptions | None = None,
) -> ImportOutcome:
    """Raises ImportRefused (nothing stored) for a file that cannot be read at all."""
    result = load_roster(data, filename, options or ImportOptions())
    rows = [RosterRow.from_handset(r, "") for r in result.accepted]
    if not rows:
        return ImportOutcome(None, result)
    import_id = import_id_for(data, at)
    rows = [RosterRow(**{**r.__dict__, "import_id": import_id}) for r in rows]
    name = safe_filename(filename)
    artefact = artifacts.put(f"imports/{import_id}/{name}", data, "application/octet-stream")
    artifacts.put(f"imports/{import_id}/report.json", readable_json(result.as_dict()),
                  "application/json")
    roster.stage(import_id, rows)
    sites = tuple(dict.fromkeys(r.site for r in rows))
    roster.commit(ImportRecord(import_id, name, actor, at, artefact, sites, dict(result.summary)))
    audit.record(at, actor, "import", import_id, correlation_id,
                 {"file": name, "accepted": result.summary.get("accepted", 0), "sites": list(sites)})
    return ImportOutcome(import_id, result)


def import_options(max_mb: int, max_rows: int) -> ImportOptions:
    return ImportOptions(max_bytes=max_mb * MB, max_rows=max_rows)
