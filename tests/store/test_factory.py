"""Opening the configured store: SQLite by default, Table Storage by endpoint, clear errors otherwise."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from teams_sip.adapters.store.factory import is_azurite, open_state_store
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.domain.secrets import Secret
from teams_sip.errors import ConfigError
from teams_sip.service.ports.store import StoreError
from tests.azurite import Azurite


@dataclass(frozen=True)
class _Settings:
    state_store: str = "sqlite"
    sqlite_path: Path = Path("unused.sqlite3")
    tables_endpoint: str | None = None


def test_sqlite_is_opened_in_wal_mode_creating_folders(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.sqlite3"
    store = open_state_store(_Settings(sqlite_path=path))
    assert isinstance(store, SqliteStateStore)
    store.insert("devices", "HQ", "a", {"v": 1})
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert open_state_store(_Settings(sqlite_path=path)).get("devices", "HQ", "a") is not None


def test_unusable_sqlite_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="SQLITE_PATH"):
        open_state_store(_Settings(sqlite_path=blocker / "state.sqlite3"))


def test_azurite_endpoint_alone_is_enough(azurite: Azurite, table: str) -> None:
    store = open_state_store(_Settings(state_store="table", tables_endpoint=azurite.endpoint("table")))
    assert isinstance(store, TableStateStore)
    store.insert(table, "HQ", "a", {"v": 1})
    assert store.get(table, "HQ", "a").data == {"v": 1}  # type: ignore[union-attr]


def test_connection_string_wins_and_a_bad_one_does_not_leak(azurite: Azurite, table: str) -> None:
    store = open_state_store(_Settings(state_store="table"), tables_connection_string=Secret(azurite.connection_string))
    store.upsert(table, "HQ", "a", {})
    with pytest.raises(ConfigError) as caught:
        open_state_store(_Settings(state_store="table"), tables_connection_string=Secret("AccountKey=hunter2"))
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(("settings", "message"), [
    (_Settings(state_store="table"), "TABLES_ENDPOINT is required"),
    (_Settings(state_store="table", tables_endpoint="http://account.table.core.windows.net"), "https"),
    (_Settings(state_store="cosmos"), "not known"),
])
def test_bad_store_settings_name_the_setting(settings: _Settings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_state_store(settings)


class _UnusedCredential:
    """A token credential that must not be asked: opening the store makes no request."""

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        raise AssertionError("no token should be requested when the store is opened")


def test_production_endpoint_uses_the_given_credential_without_connecting() -> None:
    store = open_state_store(_Settings(state_store="table", tables_endpoint="https://acct.table.core.windows.net"),
                             credential=_UnusedCredential())
    assert isinstance(store, TableStateStore)


def test_only_loopback_devstoreaccount_counts_as_azurite() -> None:
    assert is_azurite("http://127.0.0.1:10002/devstoreaccount1")
    assert not is_azurite("https://devstoreaccount1.table.core.windows.net/")
    assert not is_azurite("http://10.0.0.5:10002/devstoreaccount1")
