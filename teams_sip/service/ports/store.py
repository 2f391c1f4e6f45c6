"""The state store port: a small entity store whose model is Azure Table Storage's, the lowest common
denominator of the three adapters (memory, SQLite, Table Storage), so the service runs unchanged on each.

Entities are addressed by (table, partition key, row key) and carry a JSON-safe dict body and an opaque
etag. Every write that names an etag is optimistic concurrency: it fails with `ConflictError` when the stored
entity has changed (or gone) since it was read, so two reconciliation passes cannot both act on a device.
The checks on names, keys and sizes live here so that every adapter refuses exactly the same input.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from teams_sip.errors import InputError, TeamsSipError

MAX_KEY_CHARS = 200
"""Table Storage allows 1 KiB per key after our escaping of / \\ # ? %; 200 characters stays inside."""
SCOPE_CHARS = 41
"""A partner's deployment keeps each tenant's partition keys under `<tenant>~` (a name of at most 40
characters): partition keys stored may be this much longer than the keys the service uses."""
MAX_BODY_BYTES = 256 * 1024
"""Serialised JSON body bound (UTF-8), so a body plus its filter copies fits Table Storage's 1 MiB entity."""
MAX_FIELDS = 200
"""Top-level fields per body: Table Storage keeps a filterable copy of each within its 252 properties."""
MAX_BATCH_OPS = 100
"""Table Storage transactions hold at most 100 operations, all in one partition."""

_TABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,62}$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


class StoreError(TeamsSipError):
    """The state store could not do what was asked; the message says what and which entity."""


class ConflictError(StoreError):
    """The entity exists (insert) or changed or vanished since it was read (etag writes): re-read and retry."""


class InvalidEntityError(StoreError, InputError):
    """A table name, key, body or query the store refuses; nothing was written."""


@dataclass(frozen=True)
class Entity:
    table: str
    partition_key: str
    row_key: str
    data: dict[str, Any] = field(repr=False)
    etag: str = field(repr=False)

    def describe(self) -> str:
        return describe(self.table, self.partition_key, self.row_key)


@dataclass(frozen=True)
class WriteOp:
    """One write in an atomic batch. `etag` applies to replace and delete (None: unconditional delete)."""

    kind: Literal["insert", "replace", "upsert", "delete"]
    row_key: str
    data: Mapping[str, Any] | None = field(default=None, repr=False)
    etag: str | None = field(default=None, repr=False)


class StateStore(Protocol):
    def get(self, table: str, partition_key: str, row_key: str) -> Entity | None: ...

    def insert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        """Create; `ConflictError` when the entity already exists."""
        ...

    def replace(self, entity: Entity, data: Mapping[str, Any]) -> Entity:
        """Overwrite the body if the stored etag is still `entity.etag`, else `ConflictError`."""
        ...

    def upsert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        """Create or overwrite, unconditionally."""
        ...

    def delete(self, table: str, partition_key: str, row_key: str, etag: str | None = None) -> bool:
        """False when there was nothing to delete; with an etag, `ConflictError` when it changed or vanished."""
        ...

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        """Stream matching entities page by page (no order promised); `where` is equality on top-level
        string fields."""
        ...

    def count(self, table: str, partition_key: str | None = None, where: Mapping[str, str] | None = None) -> int: ...

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        """Apply all ops or none (one partition, at most 100, one op per row key). Answers the written
        entity per op, None for deletes; `ConflictError` (nothing applied) when any op conflicts."""
        ...


class SingleWritesAsBatches:
    """insert, replace and upsert as one-operation batches, so each adapter has one write path
    (its `batch`) and all three refuse and conflict exactly as a batch does."""

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        raise NotImplementedError

    def _one(self, table: str, partition_key: str, op: WriteOp) -> Entity:
        written = self.batch(table, partition_key, [op])[0]
        if written is None:
            raise StoreError(f"{describe(table, partition_key, op.row_key)}: the store wrote nothing for a {op.kind}")
        return written

    def insert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        return self._one(table, partition_key, WriteOp("insert", row_key, data))

    def replace(self, entity: Entity, data: Mapping[str, Any]) -> Entity:
        return self._one(entity.table, entity.partition_key, WriteOp("replace", entity.row_key, data, entity.etag))

    def upsert(self, table: str, partition_key: str, row_key: str, data: Mapping[str, Any]) -> Entity:
        return self._one(table, partition_key, WriteOp("upsert", row_key, data))


def describe(table: str, partition_key: str, row_key: str) -> str:
    """Keys are device ids and lease names, never secrets, so naming them in messages is safe."""
    return f"{table}/{partition_key!r}/{row_key!r}"


def check_table(table: str) -> str:
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise InvalidEntityError(f"table name {table!r} is not usable: 3-63 letters or digits, starting with a letter")
    return table


def check_key(key: str, what: str = "key", longest: int = MAX_KEY_CHARS) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidEntityError(f"{what} must be a non-empty string")
    if len(key) > longest:
        raise InvalidEntityError(f"{what} {key[:40]!r}... is longer than {longest} characters")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in key):
        raise InvalidEntityError(f"{what} {key!r} contains control characters")
    return key


def check_address(table: str, partition_key: str, row_key: str) -> None:
    check_table(table)
    check_key(partition_key, "partition key", MAX_KEY_CHARS + SCOPE_CHARS)
    check_key(row_key, "row key")


def encode_body(data: Mapping[str, Any], where: str) -> str:
    """Canonical JSON text of a body, refusing what would not round-trip or not fit."""
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise InvalidEntityError(f"the body for {where} must be a mapping with string keys")
    if len(data) > MAX_FIELDS:
        raise InvalidEntityError(f"the body for {where} has {len(data)} top-level fields; at most {MAX_FIELDS}")
    try:
        text = json.dumps(dict(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InvalidEntityError(f"the body for {where} is not JSON-safe ({type(exc).__name__})") from None
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise InvalidEntityError(f"the body for {where} is {size} bytes; the store takes at most {MAX_BODY_BYTES}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidEntityError(f"the body for {where} contains unpaired surrogate characters") from None
    return text


def decode_body(text: str) -> dict[str, Any]:
    value = json.loads(text)
    assert isinstance(value, dict)
    return value


def check_where(where: Mapping[str, str] | None) -> dict[str, str]:
    if not where:
        return {}
    for name, value in where.items():
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise InvalidEntityError(f"cannot filter on field {name!r}: use a plain field name (letters, digits, _)")
        if not isinstance(value, str):
            raise InvalidEntityError(f"filter on {name!r} must compare with a string")
    return dict(where)


def matches(data: Mapping[str, Any], where: Mapping[str, str]) -> bool:
    return all(isinstance(data.get(k), str) and data[k] == v for k, v in where.items())


def check_batch(table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[str | None]:
    """Validate a whole batch before anything is written; answers each op's encoded body (None: delete)."""
    check_table(table)
    check_key(partition_key, "partition key", MAX_KEY_CHARS + SCOPE_CHARS)
    if not ops:
        raise InvalidEntityError("a batch needs at least one operation")
    if len(ops) > MAX_BATCH_OPS:
        raise InvalidEntityError(f"a batch holds at most {MAX_BATCH_OPS} operations, not {len(ops)}")
    seen: set[str] = set()
    bodies: list[str | None] = []
    for op in ops:
        check_key(op.row_key, "row key")
        if op.row_key in seen:
            raise InvalidEntityError(f"a batch may touch row key {op.row_key!r} only once")
        seen.add(op.row_key)
        where = describe(table, partition_key, op.row_key)
        if op.kind == "delete":
            bodies.append(None)
        elif op.kind in ("insert", "replace", "upsert"):
            if op.data is None:
                raise InvalidEntityError(f"{op.kind} of {where} needs a body")
            if op.kind == "replace" and not op.etag:
                raise InvalidEntityError(f"replace of {where} needs the etag it was read with")
            bodies.append(encode_body(op.data, where))
        else:
            raise InvalidEntityError(f"unknown batch operation {op.kind!r}")
    return bodies


LEASE_TABLE = "leases"
LEASE_PARTITION = "lease"


class LeaseLostError(StoreError):
    """The lease expired and another owner took it, or it was released: stop the guarded work."""


@dataclass(frozen=True)
class Lease:
    name: str
    owner: str
    expires_at: datetime
    etag: str = field(repr=False)


class Leases:
    """Named, time-limited ownership on top of any StateStore (one row per name, claimed by etag), so
    two reconciliation passes never run the same work and a crashed holder's lease lapses after its ttl.
    Time is passed in (from the service's Clock), never read here."""

    def __init__(self, store: StateStore, table: str = LEASE_TABLE) -> None:
        self._store = store
        self._table = check_table(table)

    def acquire(self, name: str, owner: str, ttl: timedelta, now: datetime) -> Lease | None:
        """The lease if free, expired or already ours; None while someone else holds it."""
        check_key(name, "lease name")
        check_key(owner, "lease owner")
        _check_time(ttl, now)
        body = {"owner": owner, "expires_at": (now + ttl).isoformat()}
        current = self._store.get(self._table, LEASE_PARTITION, name)
        try:
            if current is None:
                return _lease(self._store.insert(self._table, LEASE_PARTITION, name, body))
            held = _lease(current)
            if held.owner != owner and held.expires_at > now:
                return None
            return _lease(self._store.replace(current, body))
        except ConflictError:
            return None

    def renew(self, lease: Lease, ttl: timedelta, now: datetime) -> Lease:
        """Extend a lease still ours (even if lapsed, as long as nobody took it), else `LeaseLostError`."""
        _check_time(ttl, now)
        current = self._store.get(self._table, LEASE_PARTITION, lease.name)
        if current is None or current.etag != lease.etag:
            raise LeaseLostError(f"lease {lease.name!r} of {lease.owner!r} was taken over or released")
        try:
            return _lease(self._store.replace(current, {"owner": lease.owner, "expires_at": (now + ttl).isoformat()}))
        except ConflictError:
            raise LeaseLostError(f"lease {lease.name!r} of {lease.owner!r} was taken over or released") from None

    def release(self, lease: Lease) -> bool:
        """Give the lease up; False when it was no longer ours (nothing is changed then)."""
        try:
            return self._store.delete(self._table, LEASE_PARTITION, lease.name, etag=lease.etag)
        except ConflictError:
            return False

    def active(self, now: datetime, prefix: str = "") -> list[Lease]:
        """Every lease held right now whose name starts with `prefix` (lapsed ones left out)."""
        found = (_lease(e) for e in self._store.query(self._table, LEASE_PARTITION))
        return [lease for lease in found if lease.name.startswith(prefix) and lease.expires_at > now]

    def holder(self, name: str, now: datetime) -> Lease | None:
        """Who holds `name` right now (None when free or lapsed), for run reports."""
        current = self._store.get(self._table, LEASE_PARTITION, check_key(name, "lease name"))
        if current is None:
            return None
        held = _lease(current)
        return held if held.expires_at > now else None


def _check_time(ttl: timedelta, now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("lease times must be timezone-aware")
    if ttl <= timedelta(0):
        raise ValueError("a lease needs a positive ttl")


def _lease(entity: Entity) -> Lease:
    return Lease(entity.row_key, str(entity.data["owner"]), datetime.fromisoformat(entity.data["expires_at"]),
                 entity.etag)
