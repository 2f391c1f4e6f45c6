"""Atomic batches within one partition (Table Storage transactions), on every adapter."""

from __future__ import annotations

import pytest

from teams_sip.service.ports.store import MAX_BATCH_OPS, ConflictError, InvalidEntityError, StateStore, WriteOp


def _rows(store: StateStore, table: str) -> dict[str, object]:
    return {e.row_key: e.data for e in store.query(table, "P")}


def test_batch_applies_every_kind_of_write(store: StateStore, table: str) -> None:
    a = store.insert(table, "P", "a", {"v": 1})
    store.insert(table, "P", "b", {"v": 1})
    results = store.batch(table, "P", [WriteOp("replace", "a", {"v": 2}, a.etag), WriteOp("delete", "b"),
                                       WriteOp("insert", "c", {"v": 3}), WriteOp("upsert", "d", {"v": 4})])
    assert [r.data if r else None for r in results] == [{"v": 2}, None, {"v": 3}, {"v": 4}]
    assert _rows(store, table) == {"a": {"v": 2}, "c": {"v": 3}, "d": {"v": 4}}
    assert results[0] is not None and store.get(table, "P", "a").etag == results[0].etag  # type: ignore[union-attr]


@pytest.mark.parametrize("failing", ["insert-existing", "stale-replace", "replace-missing", "stale-delete"])
def test_a_conflicting_op_anywhere_applies_nothing(store: StateStore, table: str, failing: str) -> None:
    old = store.insert(table, "P", "x", {"v": 0})
    current = store.replace(old, {"v": 1})
    bad = {
        "insert-existing": WriteOp("insert", "x", {"v": 9}),
        "stale-replace": WriteOp("replace", "x", {"v": 9}, old.etag),
        "replace-missing": WriteOp("replace", "nobody", {"v": 9}, current.etag),
        "stale-delete": WriteOp("delete", "x", None, old.etag),
    }[failing]
    before = _rows(store, table)
    ops = [WriteOp("insert", "n1", {"v": 1}), WriteOp("upsert", "n2", {"v": 2}), bad, WriteOp("insert", "n3", {})]
    with pytest.raises(ConflictError):
        store.batch(table, "P", ops)
    assert _rows(store, table) == before


def test_a_full_batch_of_100_is_accepted_and_101_refused(store: StateStore, table: str) -> None:
    store.batch(table, "P", [WriteOp("insert", f"r{i}", {"i": i}) for i in range(MAX_BATCH_OPS)])
    assert store.count(table, "P") == MAX_BATCH_OPS
    with pytest.raises(InvalidEntityError, match="at most 100"):
        store.batch(table, "Q", [WriteOp("insert", f"r{i}", {}) for i in range(MAX_BATCH_OPS + 1)])
    assert store.count(table, "Q") == 0


@pytest.mark.parametrize("ops", [
    [],
    [WriteOp("insert", "a", {}), WriteOp("upsert", "a", {})],
    [WriteOp("insert", "a", {}), WriteOp("replace", "b", {"v": 1})],
    [WriteOp("insert", "a", {}), WriteOp("insert", "b", None)],
    [WriteOp("insert", "a", {}), WriteOp("insert", "b", {"v": float("inf")})],
    [WriteOp("insert", "a", {}), WriteOp("insert", "bad/", {}), WriteOp("insert", "", {})],
], ids=["empty", "same-row-twice", "replace-without-etag", "no-body", "bad-body", "bad-key"])
def test_invalid_batches_are_refused_before_writing(store: StateStore, table: str, ops: list[WriteOp]) -> None:
    with pytest.raises(InvalidEntityError):
        store.batch(table, "P", ops)
    assert store.count(table) == 0
