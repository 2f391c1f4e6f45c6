"""In-memory state store: the fast twin of SQLite and Table Storage for unit tests. It keeps bodies as
JSON text, so callers never share mutable state with the store, exactly as with the real adapters."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence

from teams_sip.service.ports.store import (
    ConflictError,
    Entity,
    SingleWritesAsBatches,
    WriteOp,
    check_address,
    check_batch,
    check_table,
    check_where,
    decode_body,
    describe,
    matches,
)

_Key = tuple[str, str, str]


class MemoryStateStore(SingleWritesAsBatches):
    def __init__(self) -> None:
        self._rows: dict[_Key, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def _entity(self, key: _Key, etag: str, text: str) -> Entity:
        return Entity(key[0], key[1], key[2], decode_body(text), etag)

    def get(self, table: str, partition_key: str, row_key: str) -> Entity | None:
        check_address(table, partition_key, row_key)
        key = (table, partition_key, row_key)
        with self._lock:
            row = self._rows.get(key)
        return None if row is None else self._entity(key, *row)

    def delete(self, table: str, partition_key: str, row_key: str, etag: str | None = None) -> bool:
        check_address(table, partition_key, row_key)
        with self._lock:
            present = (table, partition_key, row_key) in self._rows
            if not present and etag is None:
                return False
            self._apply(table, partition_key, [WriteOp("delete", row_key, None, etag)], [None])
            return True

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        check_table(table)
        wanted = check_where(where)
        with self._lock:
            snapshot = sorted((k, v) for k, v in self._rows.items()
                              if k[0] == table and (partition_key is None or k[1] == partition_key))
        for key, (etag, text) in snapshot:
            entity = self._entity(key, etag, text)
            if matches(entity.data, wanted):
                yield entity

    def count(self, table: str, partition_key: str | None = None, where: Mapping[str, str] | None = None) -> int:
        return sum(1 for _ in self.query(table, partition_key, where))

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        bodies = check_batch(table, partition_key, ops)
        with self._lock:
            return self._apply(table, partition_key, ops, bodies)

    def _apply(self, table: str, partition_key: str, ops: Sequence[WriteOp],
               bodies: Sequence[str | None]) -> list[Entity | None]:
        """Check every op against the current rows first, then write: all or nothing. Caller holds the lock."""
        for op in ops:
            key = (table, partition_key, op.row_key)
            row = self._rows.get(key)
            if op.kind == "insert" and row is not None:
                raise ConflictError(f"{describe(*key)} already exists")
            if op.kind in ("replace", "delete") and op.etag is not None and (row is None or row[0] != op.etag):
                raise ConflictError(f"{describe(*key)} changed or was deleted since it was read")
        out: list[Entity | None] = []
        for op, body in zip(ops, bodies, strict=True):
            key = (table, partition_key, op.row_key)
            if body is None:
                self._rows.pop(key, None)
                out.append(None)
            else:
                etag = uuid.uuid4().hex
                self._rows[key] = (etag, body)
                out.append(self._entity(key, etag, body))
        return out

