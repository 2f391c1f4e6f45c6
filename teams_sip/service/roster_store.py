"""Where imported rosters live, so that every device can be traced back to the file it came from.

Each import's accepted rows are staged in their own partition and only become part of the roster
when the import's record is written as committed, last: a crash half-way leaves an invisible
staging partition, never half a roster. An import owns the sites it names: the current roster of a
site is the rows of the latest committed import that names that site, so re-uploading a corrected
sheet for one site replaces that site's handsets and leaves the other sites alone.

"Latest" is the order of commits, numbered from a counter in the store (taken by etag, so two
processes never get the same number): two uploads within one second used to be ordered by their
content hash. Imports committed before the counter existed count as number 0, in upload order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teams_sip.domain.roster_row import RosterRow
from teams_sip.service.ports.store import MAX_BATCH_OPS, ConflictError, StateStore, WriteOp

ROWS_TABLE = "rosterrows"
IMPORTS_TABLE = "imports"
IMPORTS_PARTITION = "import"
COUNTER_PARTITION = "counter"
IMPORT_SEQUENCE = "import-sequence"

__all__ = ["RosterRow", "RosterStore"]  # RosterRow is the domain's (domain/roster_row.py), stored here


@dataclass(frozen=True)
class ImportRecord:
    import_id: str
    filename: str
    uploaded_by: str
    uploaded_at: datetime
    artefact: str
    sites: tuple[str, ...]
    summary: dict[str, int]
    sequence: int = 0  # commit order (RosterStore.commit numbers it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "filename": self.filename,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": self.uploaded_at.isoformat(),
            "artefact": self.artefact,
            "sites": list(self.sites),
            "summary": dict(self.summary),
            "status": "committed",
            "sequence": self.sequence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportRecord:
        return cls(
            data["import_id"], data["filename"], data["uploaded_by"], datetime.fromisoformat(data["uploaded_at"]),
            data["artefact"], tuple(data["sites"]), dict(data["summary"]), int(data.get("sequence", 0)),
        )


class RosterStore:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def stage(self, import_id: str, rows: Sequence[RosterRow]) -> None:
        for start in range(0, len(rows), MAX_BATCH_OPS):
            chunk = rows[start : start + MAX_BATCH_OPS]
            ops = [WriteOp("upsert", row.hardware_id, row.to_dict()) for row in chunk]
            self._store.batch(ROWS_TABLE, import_id, ops)

    def commit(self, record: ImportRecord) -> None:
        numbered = dataclasses.replace(record, sequence=self._next_sequence())
        self._store.upsert(IMPORTS_TABLE, IMPORTS_PARTITION, record.import_id, numbered.to_dict())

    def _next_sequence(self) -> int:
        """The next commit number: read, then write it back naming the etag read (retried on a race)."""
        while True:
            current = self._store.get(IMPORTS_TABLE, COUNTER_PARTITION, IMPORT_SEQUENCE)
            try:
                if current is None:
                    self._store.insert(IMPORTS_TABLE, COUNTER_PARTITION, IMPORT_SEQUENCE, {"value": 1})
                    return 1
                value = int(current.data["value"]) + 1
                self._store.replace(current, {"value": value})
                return value
            except ConflictError:
                continue

    def get_import(self, import_id: str) -> ImportRecord | None:
        entity = self._store.get(IMPORTS_TABLE, IMPORTS_PARTITION, import_id)
        return None if entity is None else ImportRecord.from_dict(entity.data)

    def imports(self) -> list[ImportRecord]:
        found = (ImportRecord.from_dict(e.data) for e in self._store.query(IMPORTS_TABLE, IMPORTS_PARTITION))
        return sorted(found, key=lambda r: (r.sequence, r.uploaded_at, r.import_id))

    def site_owners(self) -> dict[str, str]:
        """Site -> id of the latest committed import that names it."""
        owners: dict[str, str] = {}
        for record in self.imports():
            for site in record.sites:
                owners[site] = record.import_id
        return owners

    def current(self) -> list[RosterRow]:
        owners = self.site_owners()
        rows: dict[str, RosterRow] = {}
        for import_id in _unique(owners.values()):
            for entity in self._store.query(ROWS_TABLE, import_id):
                row = RosterRow.from_dict(entity.data)
                if owners.get(row.site) == import_id:
                    rows[row.hardware_id] = row
        return sorted(rows.values(), key=lambda r: r.hardware_id)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
