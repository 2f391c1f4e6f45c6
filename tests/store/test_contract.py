"""The StateStore contract, run unchanged on memory, SQLite and Table Storage (Azurite), each also as one
tenant's view in a partner's deployment (TenantScopedStore)."""

from __future__ import annotations

import pytest

from teams_sip.service.ports.store import (
    MAX_BODY_BYTES,
    MAX_KEY_CHARS,
    SCOPE_CHARS,
    ConflictError,
    InvalidEntityError,
    StateStore,
    WriteOp,
)

DEVICE = {"ipei": "03717C0E0A", "user": "anna@contoso.example", "site": "HQ", "state": "imported", "attempts": 0,
          "history": [{"at": "2025-01-01T07:00:00+00:00", "to": "imported"}], "extra": {"nested": [1, 2.5, None]}}


def test_insert_then_get_round_trips_the_body(store: StateStore, table: str) -> None:
    created = store.insert(table, "HQ", "0003717C0E0A", DEVICE)
    fetched = store.get(table, "HQ", "0003717C0E0A")
    assert fetched is not None
    assert fetched.data == DEVICE == created.data
    assert fetched.etag == created.etag and created.etag
    assert (fetched.table, fetched.partition_key, fetched.row_key) == (table, "HQ", "0003717C0E0A")


def test_get_of_missing_entity_and_missing_table_is_none(store: StateStore, table: str) -> None:
    assert store.get(table, "HQ", "nothing") is None
    store.insert(table, "HQ", "a", {})
    assert store.get(table, "HQ", "b") is None
    assert store.get(table, "Other", "a") is None


def test_insert_of_existing_entity_conflicts_and_keeps_the_first(store: StateStore, table: str) -> None:
    store.insert(table, "HQ", "a", {"v": "first"})
    with pytest.raises(ConflictError, match="already exists"):
        store.insert(table, "HQ", "a", {"v": "second"})
    assert store.get(table, "HQ", "a").data == {"v": "first"}  # type: ignore[union-attr]


def test_replace_with_current_etag_writes_and_changes_the_etag(store: StateStore, table: str) -> None:
    first = store.insert(table, "HQ", "a", {"v": 1})
    second = store.replace(first, {"v": 2})
    assert second.etag != first.etag
    assert store.get(table, "HQ", "a").data == {"v": 2}  # type: ignore[union-attr]


def test_replace_with_stale_etag_conflicts_and_changes_nothing(store: StateStore, table: str) -> None:
    first = store.insert(table, "HQ", "a", {"v": 1})
    store.replace(first, {"v": 2})
    with pytest.raises(ConflictError, match="changed or was deleted"):
        store.replace(first, {"v": 3})
    assert store.get(table, "HQ", "a").data == {"v": 2}  # type: ignore[union-attr]


def test_replace_of_deleted_entity_conflicts_and_does_not_resurrect_it(store: StateStore, table: str) -> None:
    first = store.insert(table, "HQ", "a", {"v": 1})
    assert store.delete(table, "HQ", "a")
    with pytest.raises(ConflictError):
        store.replace(first, {"v": 2})
    assert store.get(table, "HQ", "a") is None


def test_etag_of_a_recreated_entity_differs_from_the_deleted_one(store: StateStore, table: str) -> None:
    old = store.insert(table, "HQ", "a", {"v": 1})
    store.delete(table, "HQ", "a")
    store.insert(table, "HQ", "a", {"v": 1})
    with pytest.raises(ConflictError):
        store.replace(old, {"v": "stale writer"})


def test_upsert_creates_then_overwrites_whole_body(store: StateStore, table: str) -> None:
    store.upsert(table, "HQ", "a", {"v": 1, "gone": "soon"})
    updated = store.upsert(table, "HQ", "a", {"v": 2})
    assert store.get(table, "HQ", "a").data == {"v": 2} == updated.data  # type: ignore[union-attr]


def test_delete_reports_whether_something_was_deleted(store: StateStore, table: str) -> None:
    store.insert(table, "HQ", "a", {})
    assert store.delete(table, "HQ", "a") is True
    assert store.delete(table, "HQ", "a") is False
    assert store.get(table, "HQ", "a") is None


def test_delete_with_etag_conflicts_when_changed_or_gone(store: StateStore, table: str) -> None:
    first = store.insert(table, "HQ", "a", {"v": 1})
    second = store.replace(first, {"v": 2})
    with pytest.raises(ConflictError):
        store.delete(table, "HQ", "a", etag=first.etag)
    assert store.get(table, "HQ", "a") is not None
    assert store.delete(table, "HQ", "a", etag=second.etag) is True
    with pytest.raises(ConflictError):
        store.delete(table, "HQ", "a", etag=second.etag)


def test_query_by_partition_and_by_string_fields(store: StateStore, table: str) -> None:
    for i in range(7):
        site = "HQ" if i < 4 else "Depot"
        store.insert(table, site, f"d{i}", {"state": "ready" if i % 2 else "imported", "n": i, "code": str(i)})
    assert sorted(e.row_key for e in store.query(table)) == [f"d{i}" for i in range(7)]
    assert sorted(e.row_key for e in store.query(table, "HQ")) == ["d0", "d1", "d2", "d3"]
    assert sorted(e.row_key for e in store.query(table, "HQ", {"state": "ready"})) == ["d1", "d3"]
    assert sorted(e.row_key for e in store.query(table, where={"state": "ready"})) == ["d1", "d3", "d5"]
    assert sorted(e.row_key for e in store.query(table, where={"state": "ready", "code": "5"})) == ["d5"]
    assert list(store.query(table, where={"n": "1"})) == []  # a number is not the string "1"
    assert store.count(table) == 7
    assert store.count(table, "Depot") == 3
    assert store.count(table, where={"state": "imported"}) == 4
    assert store.count(table, "Nowhere") == 0
    assert list(store.query(f"{table}none")) == [] and store.count(f"{table}none") == 0


def test_query_filters_on_long_string_values(store: StateStore, table: str) -> None:
    long_value = "x" * 20_000
    store.insert(table, "HQ", "a", {"note": long_value})
    store.insert(table, "HQ", "b", {"note": long_value[:-1] + "y"})
    assert [e.row_key for e in store.query(table, where={"note": long_value})] == ["a"]
    assert store.count(table, where={"note": long_value}) == 1


def test_query_streams_more_than_one_page(store: StateStore, table: str) -> None:
    for start in range(0, 1_100, 100):
        store.batch(table, "P", [WriteOp("insert", f"r{i:05}", {"i": i}) for i in range(start, start + 100)])
    store.insert(table, "Q", "other", {"i": -1})
    seen = [e.data["i"] for e in store.query(table, "P")]
    assert sorted(seen) == list(range(1_100))
    assert sorted(e.data["i"] for e in store.query(table)) == list(range(-1, 1_100))
    assert store.count(table) == 1_101


@pytest.mark.parametrize("key", ["a/b", "a\\b", "#tag", "why?", "100%", "%2F", "ümlaut ✓", "x" * 200])
def test_keys_with_characters_table_storage_forbids_round_trip(store: StateStore, table: str, key: str) -> None:
    store.insert(table, key, key, {"k": key})
    entity = store.get(table, key, key)
    assert entity is not None and entity.row_key == key and entity.partition_key == key
    assert [e.row_key for e in store.query(table, key)] == [key]
    assert store.delete(table, key, key)


@pytest.mark.parametrize("key", ["", "x" * (MAX_KEY_CHARS + SCOPE_CHARS + 1), "tab\there", "nul\x00"])
def test_unusable_keys_are_refused_before_anything_is_written(store: StateStore, table: str, key: str) -> None:
    with pytest.raises(InvalidEntityError):
        store.insert(table, "HQ", key, {})
    with pytest.raises(InvalidEntityError):
        store.insert(table, key, "a", {})
    assert store.count(table) == 0


def test_row_keys_past_the_limit_are_refused(store: StateStore, table: str) -> None:
    with pytest.raises(InvalidEntityError):
        store.insert(table, "HQ", "x" * (MAX_KEY_CHARS + 1), {})
    assert store.count(table) == 0


@pytest.mark.parametrize("name", ["ab", "1abc", "with-dash", "t" * 64, ""])
def test_unusable_table_names_are_refused(store: StateStore, name: str) -> None:
    with pytest.raises(InvalidEntityError, match="table name"):
        store.insert(name, "HQ", "a", {})


@pytest.mark.parametrize("body", [{"v": float("nan")}, {"v": {1, 2}}, {"v": b"bytes"}, {1: "int key"},
                                  {f"f{i}": i for i in range(201)}, {"v": "\ud800"}])
def test_bodies_that_would_not_round_trip_are_refused(store: StateStore, table: str, body: object) -> None:
    store.insert(table, "HQ", "a", {"v": "kept"})
    with pytest.raises(InvalidEntityError):
        store.upsert(table, "HQ", "a", body)  # type: ignore[arg-type]
    assert store.get(table, "HQ", "a").data == {"v": "kept"}  # type: ignore[union-attr]


def test_largest_allowed_body_round_trips_and_one_byte_more_is_refused(store: StateStore, table: str) -> None:
    overhead = len('{"v":""}')
    body = {"v": "é" * ((MAX_BODY_BYTES - overhead) // 2)}
    store.insert(table, "HQ", "big", body)
    assert store.get(table, "HQ", "big").data == body  # type: ignore[union-attr]
    with pytest.raises(InvalidEntityError, match="at most"):
        store.insert(table, "HQ", "bigger", {"v": "a" * (MAX_BODY_BYTES - overhead + 1)})
    assert store.get(table, "HQ", "bigger") is None


def test_filter_on_unusable_field_name_is_refused(store: StateStore, table: str) -> None:
    with pytest.raises(InvalidEntityError, match="cannot filter"):
        list(store.query(table, where={"a.b": "x"}))
    with pytest.raises(InvalidEntityError, match="string"):
        store.count(table, where={"n": 1})  # type: ignore[dict-item]


def test_returned_bodies_are_copies(store: StateStore, table: str) -> None:
    entity = store.insert(table, "HQ", "a", {"list": [1]})
    entity.data["list"].append(2)
    assert store.get(table, "HQ", "a").data == {"list": [1]}  # type: ignore[union-attr]
