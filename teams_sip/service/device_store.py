"""Device records on the state store. Every write names the etag it read, so two passes (two
Function instances, or the timer and an admin's renew) can never both change one device: the loser
gets ConflictError, re-reads and re-plans."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.service.ports.store import MAX_BATCH_OPS, ConflictError, Entity, StateStore, WriteOp

DEVICES_TABLE = "devices"
DEVICES_PARTITION = "device"


@dataclass(frozen=True)
class StoredDevice:
    record: DeviceRecord
    etag: str


def device_body(record: DeviceRecord) -> dict[str, object]:
    """The stored body of a record (also used to seed a store in bulk, e.g. by the benchmarks)."""
    body = record.to_dict()
    # Top-level strings the store can filter on (site, state, install date) without decoding history.
    body["install_date_text"] = body["install_date"] or ""
    return body


class DeviceStore:
    def __init__(self, store: StateStore) -> None:
        self._store = store

    def get(self, hardware_id: str) -> StoredDevice | None:
        entity = self._store.get(DEVICES_TABLE, DEVICES_PARTITION, hardware_id)
        return None if entity is None else _stored(entity)

    def all(self, where: Mapping[str, str] | None = None) -> Iterator[StoredDevice]:
        for entity in self._store.query(DEVICES_TABLE, DEVICES_PARTITION, where):
            yield _stored(entity)

    def add(self, record: DeviceRecord) -> StoredDevice:
        """Insert a new record; ConflictError when another pass created it first."""
        return _stored(self._store.insert(DEVICES_TABLE, DEVICES_PARTITION, record.hardware_id, device_body(record)))

    def save(self, current: StoredDevice, record: DeviceRecord) -> StoredDevice:
        """Replace if unchanged since `current` was read; ConflictError otherwise."""
        entity = Entity(DEVICES_TABLE, DEVICES_PARTITION, record.hardware_id, {}, current.etag)
        return _stored(self._store.replace(entity, device_body(record)))

    def save_many(self, changes: Sequence[tuple[StoredDevice | None, DeviceRecord]]) -> list[StoredDevice | None]:
        """Insert (no current) or replace each record, MAX_BATCH_OPS per store transaction: a pass's
        thousands of saves then cost tens of commits, not thousands. Answers the saved device per change,
        None where another pass changed (or created) it first. A chunk with a conflict is rolled back
        by the store and retried one record at a time, so only the conflicting records are skipped."""
        out: list[StoredDevice | None] = []
        for start in range(0, len(changes), MAX_BATCH_OPS):
            chunk = changes[start:start + MAX_BATCH_OPS]
            ops = [WriteOp("insert", r.hardware_id, device_body(r)) if current is None
                   else WriteOp("replace", r.hardware_id, device_body(r), current.etag) for current, r in chunk]
            try:
                written = self._store.batch(DEVICES_TABLE, DEVICES_PARTITION, ops)
            except ConflictError:
                out.extend(self._save_one(current, r) for current, r in chunk)
                continue
            out.extend(None if e is None else StoredDevice(r, e.etag) for (_, r), e in zip(chunk, written, strict=True))
        return out

    def _save_one(self, current: StoredDevice | None, record: DeviceRecord) -> StoredDevice | None:
        try:
            return self.save(current, record) if current is not None else self.add(record)
        except ConflictError:
            return None

    def count(self, where: Mapping[str, str] | None = None) -> int:
        return self._store.count(DEVICES_TABLE, DEVICES_PARTITION, where)


def _stored(entity: Entity) -> StoredDevice:
    return StoredDevice(DeviceRecord.from_dict(entity.data), entity.etag)
