"""Fixtures: the contract suite runs on every StateStore adapter; Table Storage through one Azurite per
session, started here and stopped at the end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.service.ports.store import StateStore
from tests.azurite import Azurite, running


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    yield from running(("table",))


@pytest.fixture
def table() -> str:
    """A fresh table name per test, so tests sharing one Azurite never see each other's rows."""
    return f"t{uuid.uuid4().hex[:20]}"


@pytest.fixture(params=["memory", "sqlite", "tables"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    if request.param == "memory":
        yield MemoryStateStore()
    elif request.param == "sqlite":
        with SqliteStateStore(tmp_path / "state.sqlite3") as sqlite_store:
            yield sqlite_store
    else:
        server: Azurite = request.getfixturevalue("azurite")
        yield TableStateStore.from_connection_string(server.connection_string)
