"""SQLite state store: the embedded default, one file in WAL mode, safe for several processes at once.

One `entities` table holds every logical table. Etags are random (uuid4), so a row deleted and created
again never matches a stale etag. Every write runs in `BEGIN IMMEDIATE`, taking the write lock before it
reads, so a compare-and-set cannot interleave with another process's; readers never block writers (WAL).
Queries page by key (keyset pagination), so streaming 100,000 rows holds one page in memory and no
read transaction stays open between pages.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from teams_sip.service.ports.store import (
    ConflictError,
    Entity,
    SingleWritesAsBatches,
    StoreError,
    WriteOp,
    check_address,
    check_batch,
    check_table,
    check_where,
    decode_body,
    describe,
)

PAGE_SIZE = 2000  # rows per read: a pass streams 100,000; bigger pages cost fewer round trips, one page of memory
BUSY_TIMEOUT_MS = 15_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
    tbl TEXT NOT NULL, pk TEXT NOT NULL, rk TEXT NOT NULL, etag TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, rk)
) WITHOUT ROWID
"""


# Statement templates: `{filters}` is only ever `_FILTER` repeated, never caller text. A filter reads every
# body in the partition (100,000 at scale); the value test comes first, so only matches pay for the type test.
_FILTER = " AND json_extract(body, ?) = ? AND json_type(body, ?) = 'text'"
_PAGE_IN_PARTITION = ("SELECT rk, etag, body FROM entities WHERE tbl = ? AND pk = ? AND rk > ?{filters} "
                      "ORDER BY rk LIMIT ?")
_PAGE_ALL = ("SELECT pk, rk, etag, body FROM entities WHERE tbl = ? AND (pk, rk) > (?, ?){filters} "
             "ORDER BY pk, rk LIMIT ?")
_COUNT_ALL = "SELECT COUNT(*) FROM entities WHERE tbl = ?{filters}"
_COUNT_IN_PARTITION = "SELECT COUNT(*) FROM entities WHERE tbl = ? AND pk = ?{filters}"


class SqliteStateStore(SingleWritesAsBatches):
    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self._path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                       check_same_thread=False)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the state database {self._path} ({exc}); check SQLITE_PATH "
                             "names a writable file on a local disk") from None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, table: str, partition_key: str, row_key: str) -> Entity | None:
        check_address(table, partition_key, row_key)
        row = self._read("SELECT etag, body FROM entities WHERE tbl = ? AND pk = ? AND rk = ?",
                         (table, partition_key, row_key))
        return None if not row else Entity(table, partition_key, row_key, decode_body(row[0][1]), row[0][0])

    def delete(self, table: str, partition_key: str, row_key: str, etag: str | None = None) -> bool:
        check_address(table, partition_key, row_key)
        with self._write() as db:
            _, deleted = self._apply_one(db, table, partition_key, WriteOp("delete", row_key, None, etag), None)
        return deleted

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        check_table(table)
        filters, params = _where_sql(check_where(where))
        last_pk, last_rk = "", ""
        while True:
            if partition_key is not None:  # the partition is known: not read back with every row
                sql = _PAGE_IN_PARTITION.format(filters=filters)
                rows = self._read(sql, (table, partition_key, last_rk, *params, PAGE_SIZE))
                for rk, etag, body in rows:
                    yield Entity(table, partition_key, rk, decode_body(body), etag)
                if len(rows) < PAGE_SIZE:
                    return
                last_rk = rows[-1][0]
            else:
                sql = _PAGE_ALL.format(filters=filters)
                rows = self._read(sql, (table, last_pk, last_rk, *params, PAGE_SIZE))
                for pk, rk, etag, body in rows:
                    yield Entity(table, pk, rk, decode_body(body), etag)
                if len(rows) < PAGE_SIZE:
                    return
                last_pk, last_rk = rows[-1][0], rows[-1][1]

    def count(self, table: str, partition_key: str | None = None, where: Mapping[str, str] | None = None) -> int:
        check_table(table)
        filters, params = _where_sql(check_where(where))
        if partition_key is None:
            rows = self._read(_COUNT_ALL.format(filters=filters), (table, *params))
        else:
            rows = self._read(_COUNT_IN_PARTITION.format(filters=filters), (table, partition_key, *params))
        return int(rows[0][0])

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        bodies = check_batch(table, partition_key, ops)
        with self._write() as db:
            return [self._apply_one(db, table, partition_key, op, body)[0]
                    for op, body in zip(ops, bodies, strict=True)]

    def _apply_one(self, db: sqlite3.Connection, table: str, pk: str, op: WriteOp,
                   body: str | None) -> tuple[Entity | None, bool]:
        """One write inside the caller's transaction; a ConflictError makes `_write` roll the whole batch
        back. Answers the written entity (None for deletes) and whether a row changed."""
        where = describe(table, pk, op.row_key)
        etag = uuid.uuid4().hex
        if op.kind == "insert":
            cur = db.execute("INSERT OR IGNORE INTO entities VALUES (?, ?, ?, ?, ?)",
                             (table, pk, op.row_key, etag, body))
            if cur.rowcount != 1:
                raise ConflictError(f"{where} already exists")
        elif op.kind == "replace":
            cur = db.execute("UPDATE entities SET etag = ?, body = ? WHERE tbl = ? AND pk = ? AND rk = ? AND etag = ?",
                             (etag, body, table, pk, op.row_key, op.etag))
            if cur.rowcount != 1:
                raise ConflictError(f"{where} changed or was deleted since it was read")
        elif op.kind == "upsert":
            db.execute("INSERT OR REPLACE INTO entities VALUES (?, ?, ?, ?, ?)", (table, pk, op.row_key, etag, body))
        else:
            if op.etag is None:
                cur = db.execute("DELETE FROM entities WHERE tbl = ? AND pk = ? AND rk = ?", (table, pk, op.row_key))
            else:
                cur = db.execute("DELETE FROM entities WHERE tbl = ? AND pk = ? AND rk = ? AND etag = ?",
                                 (table, pk, op.row_key, op.etag))
                if cur.rowcount != 1:
                    raise ConflictError(f"{where} changed or was deleted since it was read")
            return None, cur.rowcount == 1
        assert body is not None
        return Entity(table, pk, op.row_key, decode_body(body), etag), True

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            with self._lock:
                return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"reading the state database {self._path} failed ({exc})") from None

    def _write(self) -> _WriteTransaction:
        return _WriteTransaction(self)


class _WriteTransaction:
    """BEGIN IMMEDIATE ... COMMIT under the instance lock; any exception rolls back, so nothing half-applies."""

    def __init__(self, store: SqliteStateStore) -> None:
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        try:
            self._store._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._store._lock.release()
            raise StoreError(f"the state database {self._store._path} is busy or unwritable ({exc})") from None
        return self._store._db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        db = self._store._db
        try:
            if exc_type is None:
                try:
                    db.execute("COMMIT")
                except sqlite3.Error as error:
                    db.execute("ROLLBACK")
                    raise StoreError(f"writing the state database {self._store._path} failed ({error})") from None
            else:
                db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"writing the state database {self._store._path} failed ({exc})") from None
        finally:
            self._store._lock.release()


def _where_sql(where: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """Only the fixed fragment `_FILTER` enters the SQL text; JSON paths and values are bound parameters."""
    params: list[str] = []
    for name, value in where.items():
        path = f"$.{name}"  # name is a checked identifier (check_where)
        params += [path, value, path]
    return _FILTER * len(where), tuple(params)

