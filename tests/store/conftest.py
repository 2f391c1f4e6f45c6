"""Fixtures: the contract suite runs on every StateStore adapter; Table Storage through one Azurite per
session, started here and stopped at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.adapters.store.tenant_scope import TenantScopedStore
from teams_sip.service.ports.store import StateStore
from tests.azurite import Azurite, running


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    yield from running(("table",))


@pytest.fixture
def table() -> str:
    """A fresh table name per test, so tests sharing one Azurite never see each other's rows."""
    return f"t{uuid.uuid4().hex[:20]}"


@pytest.fixture(params=["memory", "sqlite", "tables", "memory-tenant", "sqlite-tenant", "tables-tenant"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    """Each adapter as it is, and as one tenant's view of it in a partner's deployment: the same
    contract must hold through TenantScopedStore."""
    kind, _, scoped = str(request.param).partition("-")
    with _opened(kind, request, tmp_path) as raw:
        yield TenantScopedStore(raw, "acme") if scoped else raw


@pytest.fixture(params=["memory", "sqlite", "tables"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    """One adapter as a partner's deployment shares it between tenants."""
    with _opened(str(request.param), request, tmp_path) as raw:
        yield raw


@contextmanager
def _opened(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if kind == "memory":
        yield MemoryStateStore()
    elif kind == "sqlite":
        with SqliteStateStore(tmp_path / "state.sqlite3") as sqlite_store:
            yield sqlite_store
    else:
        server: Azurite = request.getfixturevalue("azurite")
        yield TableStateStore.from_connection_string(server.connection_string)
