"""Isolation of tenants sharing one store: through tenant A's view nothing of tenant B can be read,
counted, replaced, deleted or leased, whatever keys A makes up; on memory, SQLite and Table Storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from teams_sip.adapters.store.tenant_scope import TenantScopedStore
from teams_sip.service.ports.store import ConflictError, Leases, StateStore, WriteOp

NOW = datetime(2026, 3, 17, 7, 0, tzinfo=UTC)


def test_a_tenant_sees_only_its_own_rows(shared_store: StateStore, table: str) -> None:
    a, b, ab = (TenantScopedStore(shared_store, n) for n in ("a", "b", "a-b"))
    b.insert(table, "devices", "d1", {"owner": "b"})
    ab.insert(table, "devices", "d1", {"owner": "a-b"})
    a.insert(table, "devices", "d2", {"owner": "a"})
    assert a.get(table, "devices", "d1") is None
    assert [e.data["owner"] for e in a.query(table)] == ["a"]
    assert [e.data["owner"] for e in a.query(table, "devices")] == ["a"]
    assert a.count(table) == 1 and a.count(table, "devices", {"owner": "b"}) == 0
    assert not a.delete(table, "devices", "d1")
    found = b.get(table, "devices", "d1")
    assert found is not None and found.partition_key == "devices" and found.data == {"owner": "b"}
    assert sorted(e.partition_key for e in shared_store.query(table)) == ["a-b~devices", "a~devices", "b~devices"]


def test_made_up_keys_stay_inside_the_tenant(shared_store: StateStore, table: str) -> None:
    a, b = TenantScopedStore(shared_store, "a"), TenantScopedStore(shared_store, "b")
    b.insert(table, "devices", "d1", {"owner": "b"})
    assert a.get(table, "b~devices", "d1") is None
    assert list(a.query(table, "b~devices")) == []
    a.upsert(table, "b~devices", "d1", {"owner": "a"})
    again = b.get(table, "devices", "d1")
    assert again is not None and again.data == {"owner": "b"}


def test_an_entity_of_another_tenant_cannot_be_replaced_through_a_view(shared_store: StateStore, table: str) -> None:
    a, b = TenantScopedStore(shared_store, "a"), TenantScopedStore(shared_store, "b")
    theirs = b.insert(table, "devices", "d1", {"owner": "b"})
    with pytest.raises(ConflictError):
        a.replace(theirs, {"owner": "a"})  # addressed in a's own partition, where it does not exist
    with pytest.raises(ConflictError):
        a.batch(table, "devices", [WriteOp("replace", "d1", {"owner": "a"}, theirs.etag)])
    still = b.get(table, "devices", "d1")
    assert still is not None and still.data == {"owner": "b"}


def test_leases_of_the_same_name_are_per_tenant(shared_store: StateStore) -> None:
    a, b = Leases(TenantScopedStore(shared_store, "a")), Leases(TenantScopedStore(shared_store, "b"))
    held = a.acquire("site:HQ", "worker-a", timedelta(minutes=5), NOW)
    other = b.acquire("site:HQ", "worker-b", timedelta(minutes=5), NOW)
    assert held is not None and other is not None
    assert a.acquire("site:HQ", "worker-c", timedelta(minutes=5), NOW) is None
    assert [lease.owner for lease in b.active(NOW)] == ["worker-b"]


def test_tenant_names_that_could_escape_their_prefix_are_refused(shared_store: StateStore) -> None:
    for name in ("", "a~b"):
        with pytest.raises(ValueError):
            TenantScopedStore(shared_store, name)
