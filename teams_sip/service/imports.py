"""Importing a roster file: validate it whole, keep the file and its report, and make its accepted
rows the roster of the sites it names, in one step that either happens completely or not at all.

A re-import never drops a handset without saying so. A row rejected for a fixable reason (a blank
Site from merged cells, a date typo) that still names a known handset keeps that handset's previous
roster row, and every report lists the rostered handsets the file would drop. Dropping more than
`max_drops` needs `allow_removals`: without it nothing is applied and RemovalsNeedConfirmation
names them (a dropped handset is released at the next pass and, with REMOVE_RELEASED_IN_TEAMS,
removed in Teams).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from teams_sip.domain.identifiers import excerpt
from teams_sip.domain.roster import ImportResult, RowStatus
from teams_sip.errors import InputError
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.roster_file import load_roster
from teams_sip.service.audit import AuditLog
from teams_sip.service.filenames import safe_filename
from teams_sip.service.json_text import readable_json
from teams_sip.service.ports.notifier import ArtifactStore
from teams_sip.service.roster_store import ImportRecord, RosterRow, RosterStore

SHOWN_DROPS = 20  # handsets named in a refusal's message; the report lists them all


@dataclass(frozen=True)
class RosterChanges:
    """What the file does to the roster beyond its accepted rows."""

    kept: tuple[tuple[int, RosterRow], ...] = ()  # (rejected row of the file, the handset's previous row)
    dropped: tuple[RosterRow, ...] = ()  # rostered handsets of the sites it names that it no longer holds
    max_drops: int = 0
    removals_allowed: bool = False

    def as_dict(self) -> dict[str, Any]:
        def brief(r: RosterRow) -> dict[str, str]:
            return {"hardware_id": r.hardware_id, "upn": r.upn, "site": r.site}

        return {"kept": [brief(r) | {"row": n} for n, r in self.kept],
                "dropped": [brief(r) for r in self.dropped], "max_drops": self.max_drops,
                "removals_allowed": self.removals_allowed}


@dataclass(frozen=True)
class ImportOutcome:
    """`import_id` is None when nothing was imported (every row rejected)."""

    import_id: str | None
    result: ImportResult
    changes: RosterChanges = field(default_factory=RosterChanges)

    def report(self) -> dict[str, Any]:
        """The validation report and the roster changes, as every entry point shows them."""
        return self.result.as_dict() | {"roster_changes": self.changes.as_dict()}


class RemovalsNeedConfirmation(InputError):  # noqa: N818 - says what the admin must do
    """The file would drop more rostered handsets than allowed without confirmation; nothing was applied."""

    http_status = 409

    def __init__(self, outcome: ImportOutcome) -> None:
        dropped = outcome.changes.dropped
        shown = ", ".join(f"{r.hardware_id} ({excerpt(r.upn)}, {excerpt(r.site)})" for r in dropped[:SHOWN_DROPS])
        more = f" and {len(dropped) - SHOWN_DROPS} more" if len(dropped) > SHOWN_DROPS else ""
        super().__init__(
            f"Nothing was imported: the file would drop {len(dropped)} rostered handset(s) from the sites it names "
            f"(more than {outcome.changes.max_drops} needs confirmation): {shown}{more}. If they should leave the "
            "roster, import again allowing removals (--allow-removals, or tick 'Allow removals'); otherwise add "
            "their rows to the file.")
        self.outcome = outcome


def import_id_for(data: bytes, at: datetime) -> str:
    return f"{at:%Y%m%dT%H%M%S}-{hashlib.sha256(data).hexdigest()[:10]}"


def plan_rows(result: ImportResult, current: Sequence[RosterRow]) -> tuple[list[RosterRow], RosterChanges]:
    """The rows the import stores (accepted, plus the previous row of each known handset whose row
    was rejected) and what that does to the current roster of the sites they name."""
    rows = [RosterRow.from_handset(r, "") for r in result.accepted]
    named = {r.site for r in rows}
    held = {r.hardware_id for r in rows}
    previous = {r.hardware_id: r for r in current}
    kept: dict[str, tuple[int, RosterRow]] = {}
    for r in result.rows:
        hid = r.identity.hardware_id if r.identity is not None else None
        if hid is None or r.status is not RowStatus.REJECTED or hid not in previous or hid in held or hid in kept:
            continue
        if previous[hid].site in named:  # a site the file does not name keeps its rows anyway
            kept[hid] = (r.row, previous[hid])
    rows += [row for _, row in kept.values()]
    held |= kept.keys()
    dropped = tuple(r for r in current if r.site in named and r.hardware_id not in held)
    return rows, RosterChanges(tuple(kept.values()), dropped)


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
    max_drops: int = 5,
    allow_removals: bool = False,
) -> ImportOutcome:
    """Raises ImportRefused (nothing stored) for a file that cannot be read at all, and
    RemovalsNeedConfirmation (nothing stored) for one that drops too many handsets unconfirmed."""
    result = load_roster(data, filename, options or ImportOptions())
    rows, changes = plan_rows(result, roster.current())
    changes = replace(changes, max_drops=max_drops, removals_allowed=allow_removals)
    if not result.accepted:
        return ImportOutcome(None, result, replace(changes, kept=(), dropped=()))
    import_id = import_id_for(data, at)
    outcome = ImportOutcome(import_id, result, changes)
    if len(changes.dropped) > max_drops and not allow_removals:
        raise RemovalsNeedConfirmation(replace(outcome, import_id=None))
    rows = [replace(r, import_id=import_id) for r in rows]
    name = safe_filename(filename)
    artefact = artifacts.put(f"imports/{import_id}/{name}", data, "application/octet-stream")
    artifacts.put(f"imports/{import_id}/report.json", readable_json(outcome.report()), "application/json")
    roster.stage(import_id, rows)
    sites = tuple(dict.fromkeys(r.site for r in rows))
    roster.commit(ImportRecord(import_id, name, actor, at, artefact, sites, dict(result.summary)))
    audit.record(at, actor, "import", import_id, correlation_id,
                 {"file": name, "accepted": result.summary.get("accepted", 0), "sites": list(sites),
                  "kept": len(changes.kept), "dropped": [r.hardware_id for r in changes.dropped]})
    return outcome


def import_options(max_mb: int, max_rows: int, sheet: str | None = None) -> ImportOptions:
    return ImportOptions(max_bytes=max_mb * MB, max_rows=max_rows, sheet=sheet)
