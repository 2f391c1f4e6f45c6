"""The SQLite store streams large queries page by page (keyset pagination): every row exactly once, in
key order, whatever the page size, with filters matching across page boundaries; a filter matches
string fields only, even where an object's or a list's JSON text equals the value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from teams_sip.adapters.store import sqlite
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.ports.store import StateStore, WriteOp


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SqliteStateStore]:
    monkeypatch.setattr(sqlite, "PAGE_SIZE", 7)
    with SqliteStateStore(tmp_path / "state.sqlite3") as store:
        yield store


def _fill(store: StateStore, partitions: tuple[str, ...], rows: int) -> None:
    for pk in partitions:
        store.batch("devices", pk, [WriteOp("insert", f"r{i:03d}", {"state": "activated" if i % 3 == 0 else "signed_in",
                                                                      "n": i}) for i in range(rows)])


def test_a_partition_streams_every_row_once_in_key_order(small_pages: SqliteStateStore) -> None:
    _fill(small_pages, ("device", "other"), 50)
    rows = list(small_pages.query("devices", "device"))
    assert [e.row_key for e in rows] == [f"r{i:03d}" for i in range(50)]
    assert all(e.partition_key == "device" and e.table == "devices" for e in rows)
    assert [e.data["n"] for e in rows] == list(range(50))
    got = small_pages.get("devices", "device", "r013")
    assert got is not None and [e.etag for e in rows if e.row_key == "r013"] == [got.etag]


def test_filters_match_across_page_boundaries(small_pages: SqliteStateStore) -> None:
    _fill(small_pages, ("device", "other"), 50)
    wanted = [f"r{i:03d}" for i in range(0, 50, 3)]
    assert [e.row_key for e in small_pages.query("devices", "device", {"state": "activated"})] == wanted
    everywhere = [(e.partition_key, e.row_key) for e in small_pages.query("devices", where={"state": "activated"})]
    assert everywhere == [("device", r) for r in wanted] + [("other", r) for r in wanted]
    assert small_pages.count("devices", "device", {"state": "activated"}) == len(wanted)


def test_a_page_exactly_full_ends_cleanly(small_pages: SqliteStateStore) -> None:
    _fill(small_pages, ("device",), 14)
    assert len(list(small_pages.query("devices", "device"))) == 14
    assert len(list(small_pages.query("devices"))) == 14


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_filter_matches_strings_only(kind: str, tmp_path: Path) -> None:
    store: StateStore = MemoryStateStore() if kind == "memory" else SqliteStateStore(tmp_path / "s.sqlite3")
    store.insert("tags", "p", "list", {"tags": ["a"]})
    store.insert("tags", "p", "object", {"tags": {"a": 1}})
    store.insert("tags", "p", "number", {"tags": 1})
    store.insert("tags", "p", "text", {"tags": '["a"]'})
    store.insert("tags", "p", "object-text", {"tags": '{"a":1}'})
    assert [e.row_key for e in store.query("tags", "p", {"tags": '["a"]'})] == ["text"]
    assert [e.row_key for e in store.query("tags", "p", {"tags": '{"a":1}'})] == ["object-text"]
    assert [e.row_key for e in store.query("tags", where={"tags": "1"})] == []
    assert store.count("tags", "p", {"tags": '["a"]'}) == 1
