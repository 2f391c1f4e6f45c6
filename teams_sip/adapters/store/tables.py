"""Azure Table Storage state store (azure-data-tables), with the service's etag concurrency mapped onto
the service's own If-Match. Every write goes through a transaction (one op or up to 100), so single
writes and batches fail the same way and a failed batch applies nothing.

Layout of a stored entity, bounded by Table Storage's rules (64 KiB per property, 1 MiB per entity,
keys without / \\ # ?): the JSON body as UTF-8 in binary chunks `b0..b{n-1}` (`bn` = n), plus a copy of
every short top-level string field as `f_<name>` so equality filters run on the server. Keys are
percent-encoded (`%`, `/`, `\\`, `#`, `?`), so any key the port accepts round-trips.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.data.tables import TableClient, TableServiceClient, TableTransactionError, UpdateMode

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
    matches,
)

CHUNK_BYTES = 64_000
INDEX_MAX_CHARS = 8_000
"""Longer string fields are not copied for the server; filters on such values scan the partition."""
PAGE_SIZE = 1_000
_ESCAPED = re.compile(r"[%/\\#?]")
_ENCODED = re.compile(r"%([0-9A-F]{2})")


def encode_key(key: str) -> str:
    return _ESCAPED.sub(lambda m: f"%{ord(m.group()):02X}", key)


def decode_key(key: str) -> str:
    return _ENCODED.sub(lambda m: chr(int(m.group(1), 16)), key)


class TableStateStore(SingleWritesAsBatches):
    def __init__(self, service: TableServiceClient, where: str) -> None:
        """`where` names the account for messages (an endpoint URL, never a connection string)."""
        self._service = service
        self._where = where
        self._tables: dict[str, TableClient] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_connection_string(cls, connection_string: str) -> TableStateStore:
        service = TableServiceClient.from_connection_string(connection_string)
        return cls(service, service.url)

    @classmethod
    def from_endpoint(cls, endpoint: str, credential: Any) -> TableStateStore:
        """Production: identity-based access (managed identity through DefaultAzureCredential), no keys."""
        return cls(TableServiceClient(endpoint=endpoint, credential=credential), endpoint)

    def _table(self, table: str) -> TableClient:
        with self._lock:
            client = self._tables.get(table)
            if client is None:
                client = self._service.get_table_client(table)
                with contextlib.suppress(ResourceExistsError), self._errors(f"creating table {table}"):
                    self._service.create_table(table)
                self._tables[table] = client
            return client

    def get(self, table: str, partition_key: str, row_key: str) -> Entity | None:
        check_address(table, partition_key, row_key)
        try:
            with self._errors(f"reading {describe(table, partition_key, row_key)}"):
                raw = self._table(table).get_entity(encode_key(partition_key), encode_key(row_key))
        except ResourceNotFoundError:
            return None
        return _entity(table, raw)

    def delete(self, table: str, partition_key: str, row_key: str, etag: str | None = None) -> bool:
        check_address(table, partition_key, row_key)
        try:
            self._submit(table, partition_key, [WriteOp("delete", row_key, None, etag)], [None])
        except _Missing:
            if etag is not None:
                raise ConflictError(f"{describe(table, partition_key, row_key)} changed or was deleted "
                                    "since it was read") from None
            return False
        return True

    def query(self, table: str, partition_key: str | None = None,
              where: Mapping[str, str] | None = None) -> Iterator[Entity]:
        check_table(table)
        wanted = check_where(where)
        for raw in self._scan(table, partition_key, wanted, select=None):
            entity = _entity(table, raw)
            if matches(entity.data, wanted):
                yield entity

    def count(self, table: str, partition_key: str | None = None, where: Mapping[str, str] | None = None) -> int:
        check_table(table)
        wanted = check_where(where)
        if all(len(v) <= INDEX_MAX_CHARS for v in wanted.values()):
            return sum(1 for _ in self._scan(table, partition_key, wanted, select=["RowKey"]))
        return sum(1 for _ in self.query(table, partition_key, wanted))

    def batch(self, table: str, partition_key: str, ops: Sequence[WriteOp]) -> list[Entity | None]:
        bodies = check_batch(table, partition_key, ops)
        try:
            return self._submit(table, partition_key, ops, bodies)
        except _Missing as missing:
            raise ConflictError(f"{describe(table, partition_key, ops[missing.index].row_key)} changed or was "
                                "deleted since it was read") from None

    def _submit(self, table: str, partition_key: str, ops: Sequence[WriteOp],
                bodies: Sequence[str | None]) -> list[Entity | None]:
        client = self._table(table)
        pk = encode_key(partition_key)
        operations: list[Any] = []
        for op, body in zip(ops, bodies, strict=True):
            keys = {"PartitionKey": pk, "RowKey": encode_key(op.row_key)}
            if body is None:
                options = {} if op.etag is None else {"etag": op.etag, "match_condition": MatchConditions.IfNotModified}
                operations.append(("delete", keys, options))
            elif op.kind == "insert":
                operations.append(("create", {**keys, **_properties(body)}))
            elif op.kind == "replace":
                operations.append(("update", {**keys, **_properties(body)},
                                   {"mode": UpdateMode.REPLACE, "etag": op.etag,
                                    "match_condition": MatchConditions.IfNotModified}))
            else:
                operations.append(("upsert", {**keys, **_properties(body)}, {"mode": UpdateMode.REPLACE}))
        try:
            with self._errors(f"writing to {describe(table, partition_key, ops[0].row_key)}"):
                results = client.submit_transaction(operations)
        except TableTransactionError as exc:
            index = exc.index if 0 <= exc.index < len(ops) else 0
            where = describe(table, partition_key, ops[index].row_key)
            if exc.status_code == 409:
                raise ConflictError(f"{where} already exists") from None
            if exc.status_code == 412:
                raise ConflictError(f"{where} changed or was deleted since it was read") from None
            if exc.status_code == 404:
                raise _Missing(index) from None
            raise StoreError(f"Table Storage at {self._where} refused the write to {where} "
                             f"(HTTP {exc.status_code}, {getattr(exc, 'error_code', None)})") from None
        out: list[Entity | None] = []
        for op, body, result in zip(ops, bodies, results, strict=True):
            out.append(None if body is None else
                       Entity(table, partition_key, op.row_key, decode_body(body), str(result["etag"])))
        return out

    def _scan(self, table: str, partition_key: str | None, where: Mapping[str, str],
              select: list[str] | None) -> Iterator[Any]:
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if partition_key is not None:
            clauses.append("PartitionKey eq @pk")
            params["pk"] = encode_key(partition_key)
        for i, (name, value) in enumerate(sorted(where.items())):
            if len(value) <= INDEX_MAX_CHARS:
                clauses.append(f"f_{name} eq @v{i}")  # name is a checked identifier (check_where)
                params[f"v{i}"] = value
        client = self._table(table)
        try:
            with self._errors(f"reading table {table}"):
                if clauses:
                    pages = client.query_entities(" and ".join(clauses), parameters=params,
                                                  results_per_page=PAGE_SIZE, select=select)
                else:
                    pages = client.list_entities(results_per_page=PAGE_SIZE, select=select)
                yield from pages
        except ResourceNotFoundError:
            return

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """Turn transport and service failures into admin-readable StoreErrors; the messages carry the
        endpoint and status, never credentials. Outcomes the callers interpret pass through."""
        try:
            yield
        except (ResourceNotFoundError, ResourceExistsError, TableTransactionError):
            raise
        except HttpResponseError as exc:
            code = getattr(exc, "error_code", None)
            raise StoreError(f"Table Storage at {self._where} failed {doing} (HTTP {exc.status_code}, {code}); "
                             "check TABLES_ENDPOINT and the app's Storage Table Data Contributor role") from None
        except AzureError as exc:
            raise StoreError(f"cannot reach Table Storage at {self._where} while {doing} "
                             f"({type(exc).__name__})") from None


class _Missing(Exception):  # noqa: N818 - internal signal, never leaves this module
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _properties(body: str) -> dict[str, Any]:
    data = decode_body(body)
    raw = body.encode("utf-8")
    chunks = [raw[i:i + CHUNK_BYTES] for i in range(0, len(raw), CHUNK_BYTES)] or [b""]
    props: dict[str, Any] = {f"b{i}": chunk for i, chunk in enumerate(chunks)}
    props["bn"] = len(chunks)
    for name, value in data.items():
        if isinstance(value, str) and len(value) <= INDEX_MAX_CHARS and check_where_name(name):
            props[f"f_{name}"] = value
    return props


def check_where_name(name: str) -> bool:
    try:
        check_where({name: ""})
    except StoreError:
        return False
    return True


def _entity(table: str, raw: Any) -> Entity:
    count = int(raw["bn"])
    body = b"".join(bytes(raw[f"b{i}"]) for i in range(count)).decode("utf-8")
    return Entity(table, decode_key(raw["PartitionKey"]), decode_key(raw["RowKey"]), decode_body(body),
                  str(raw.metadata["etag"]))

