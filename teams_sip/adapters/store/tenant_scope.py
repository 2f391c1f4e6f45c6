"""One tenant's view of a state store shared by a partner's deployment.

Every partition key is stored as `<tenant>~<key>`, so one Table Storage table (or SQLite file) holds
every customer and a tenant's rows can be read, written, leased and deleted only through its own
view: a key a caller makes up stays inside its own prefix, and a scan of a whole table answers only
the rows under the prefix. Tenant names are slugs (letters, digits, hyphens), so no name is the
start of another's prefix. Entities come back with the tenant's own keys: the service layer above
never sees the prefix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from teams_sip.service.ports.store import Entity, StateStore, WriteOp, check_key

SEPARATOR = "~"


class TenantScopedStore:
    def __init__(self, inner: StateStore, tenant: str) -> None:
        if not tenant or SEPARATOR in tenant:
            raise ValueError(f"a tenant scope needs a name without {SEPARATOR!r}")
        self._inner = inner
        self._prefix = tenant + SEPARATOR
        self.tenant = tenant

    def _key(self, partition_key: str) -> str:
        return self._prefix + check_key(partition_key, "partition key")

    def _own(self, entity: Entity) -> Entity:
        return replace(entity, partition_key=entity.partition_key[len(self._prefix):])

    def _mine(self, entity: Entity) -> bool:
        return entity.partition_key.startswith(self._prefix)

    def get(self, table: str, partition_key: str, row_key: str) -> Entity | None:
        found = self._inner.get(table, self._key(partition_key), row_key)
        return None if found is None else self._own(found)

    def insert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        return self._own(self._inner.insert(table, self._key(partition_key), row_key, data))

    def replace(self, entity: Entity, data: Mapping[str, Any]) -> Entity:
        stored = replace(entity, partition_key=self._key(entity.partition_key))
        return self._own(self._inner.replace(stored, data))

    def upsert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        return self._own(self._inner.upsert(table, self._key(partition_key), row_key, data))

    def delete(self, table: str, partition_key: str, row_key: str, etag: str | None = None) -> bool:
        return self._inner.delete(table, self._key(partition_key), row_key, etag)

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        if partition_key is not None:
            return (self._own(e) for e in self._inner.query(table, self._key(partition_key), where))
        return (self._own(e) for e in self._inner.query(table, None, where) if self._mine(e))

    def count(self, table: str, partition_key: str | None = None, where: Mapping[str, str] | None = None) -> int:
        if partition_key is not None:
            return self._inner.count(table, self._key(partition_key), where)
        return sum(1 for _ in self.query(table, None, where))

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        written = self._inner.batch(table, self._key(partition_key), ops)
        return [None if e is None else self._own(e) for e in written]
