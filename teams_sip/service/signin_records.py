"""What the sign-in stage remembers, in its own state-store table ("signin"), so DeviceRecord's
format stays the lifecycle's: per device the notices sent and the last bulk sign-in outcome of
the current waiting episode; per bulk sign-in batch its devices, mode and progress."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teams_sip.domain.signin.bulk import BulkItem
from teams_sip.domain.sites import Region
from teams_sip.service.ports.store import MAX_BATCH_OPS, ConflictError, Entity, StateStore, WriteOp

SIGNIN_TABLE = "signin"
DEVICE_PARTITION = "device"
BATCH_PARTITION = "batch"

PLANNED = "planned"  # stored, artefacts written; API mode: not yet known to be submitted
SUBMITTED = "submitted"  # API mode: the service gave a BatchId
WRITTEN = "written"  # assisted mode: waits for the admin's result file
COMPLETED = "completed"
REFUSED = "refused"  # the service refused the batch whole; its devices go back to the pool
IN_FLIGHT = frozenset({PLANNED, SUBMITTED, WRITTEN})


@dataclass(frozen=True)
class DeviceEntry:
    hardware_id: str
    episode: str  # ISO time the device last started waiting for sign-in
    notices: tuple[str, ...] = ()
    batch: str = ""  # reference of the batch it is in flight in
    outcome: str = ""  # errors.Outcome value of the last result
    remedy: str = ""
    error: str = ""
    outcome_at: str = ""
    etag: str = dataclasses.field(default="", compare=False, repr=False)

    def body(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("etag")
        data["notices"] = list(self.notices)
        return data


@dataclass(frozen=True)
class BatchEntry:
    reference: str
    region: Region
    items: tuple[BulkItem, ...]
    mode: str  # "api" | "assisted"
    state: str
    written_at: datetime
    batch_id: str = ""
    completed_at: datetime | None = None
    lost_reported: bool = False
    etag: str = dataclasses.field(default="", compare=False, repr=False)

    def body(self) -> dict[str, Any]:
        return {
            "region": self.region.value,
            "items": [[i.hardware_id, i.username] for i in self.items],
            "mode": self.mode,
            "state": self.state,
            "written_at": self.written_at.isoformat(),
            "batch_id": self.batch_id,
            "completed_at": None if self.completed_at is None else self.completed_at.isoformat(),
            "lost_reported": self.lost_reported,
        }


class SignInBook:
    """Reads and writes the signin table; batch updates are etag-guarded so two passes never both
    apply one batch's results (the loser gets ConflictError)."""

    def __init__(self, store: StateStore) -> None:
        self._store = store

    def devices(self) -> dict[str, DeviceEntry]:
        return {e.row_key: _device(e) for e in self._store.query(SIGNIN_TABLE, DEVICE_PARTITION)}

    def save_device(self, entry: DeviceEntry) -> DeviceEntry:
        stored = self._store.upsert(SIGNIN_TABLE, DEVICE_PARTITION, entry.hardware_id, entry.body())
        return dataclasses.replace(entry, etag=stored.etag)

    def save_devices(self, entries: Sequence[DeviceEntry]) -> list[DeviceEntry]:
        """Upserts in store transactions of MAX_BATCH_OPS (one per device was most of a pass's time
        spent telling thousands of personal users how to sign in); answers them with their etags."""
        saved: list[DeviceEntry] = []
        for start in range(0, len(entries), MAX_BATCH_OPS):
            chunk = entries[start:start + MAX_BATCH_OPS]
            ops = [WriteOp("upsert", e.hardware_id, e.body()) for e in chunk]
            written = self._store.batch(SIGNIN_TABLE, DEVICE_PARTITION, ops)
            for entry, stored in zip(chunk, written, strict=True):
                saved.append(dataclasses.replace(entry, etag=stored.etag if stored else entry.etag))
        return saved

    def batches(self) -> Iterator[BatchEntry]:
        for entity in self._store.query(SIGNIN_TABLE, BATCH_PARTITION):
            yield _batch(entity)

    def get_batch(self, reference: str) -> BatchEntry | None:
        entity = self._store.get(SIGNIN_TABLE, BATCH_PARTITION, reference)
        return None if entity is None else _batch(entity)

    def add_batch(self, batch: BatchEntry) -> BatchEntry | None:
        """None when the reference is taken (another pass, same minute): pick the next one."""
        try:
            stored = self._store.insert(SIGNIN_TABLE, BATCH_PARTITION, batch.reference, batch.body())
        except ConflictError:
            return None
        return dataclasses.replace(batch, etag=stored.etag)

    def update_batch(self, batch: BatchEntry, **changes: Any) -> BatchEntry:
        """Replace if unchanged since read; ConflictError otherwise."""
        new = dataclasses.replace(batch, **changes)
        current = Entity(SIGNIN_TABLE, BATCH_PARTITION, batch.reference, {}, batch.etag)
        stored = self._store.replace(current, new.body())
        return dataclasses.replace(new, etag=stored.etag)


def _device(entity: Entity) -> DeviceEntry:
    d = entity.data
    return DeviceEntry(
        hardware_id=entity.row_key,
        episode=str(d.get("episode", "")),
        notices=tuple(str(n) for n in d.get("notices") or ()),
        batch=str(d.get("batch") or ""),
        outcome=str(d.get("outcome") or ""),
        remedy=str(d.get("remedy") or ""),
        error=str(d.get("error") or ""),
        outcome_at=str(d.get("outcome_at") or ""),
        etag=entity.etag,
    )


def _batch(entity: Entity) -> BatchEntry:
    d = entity.data
    completed = d.get("completed_at")
    return BatchEntry(
        reference=entity.row_key,
        region=Region(str(d["region"])),
        items=tuple(BulkItem(str(h), str(u)) for h, u in d["items"]),
        mode=str(d["mode"]),
        state=str(d["state"]),
        written_at=datetime.fromisoformat(str(d["written_at"])),
        batch_id=str(d.get("batch_id") or ""),
        completed_at=None if not completed else datetime.fromisoformat(str(completed)),
        lost_reported=bool(d.get("lost_reported")),
        etag=entity.etag,
    )
