"""Two writers on one entity: exactly one of two concurrent updates wins, and retried read-modify-write
loses no update, on SQLite (threads and processes) and Table Storage (threads against Azurite)."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.service.ports.store import ConflictError, StateStore
from tests.azurite import Azurite

TABLE = "devices"


def _race(open_store: Callable[[], StateStore], table: str) -> list[str]:
    """Both writers read the same version, then write at the same moment; answers each one's outcome."""
    stores = [open_store(), open_store()]
    stores[0].insert(table, "HQ", "d1", {"owner": "nobody"})
    barrier = threading.Barrier(2)
    outcomes: list[str] = ["", ""]

    def writer(i: int) -> None:
        seen = stores[i].get(table, "HQ", "d1")
        assert seen is not None
        barrier.wait()
        try:
            stores[i].replace(seen, {"owner": f"pass{i}"})
            outcomes[i] = "won"
        except ConflictError:
            outcomes[i] = "conflict"

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    final = stores[0].get(table, "HQ", "d1")
    assert final is not None
    assert sorted(outcomes) == ["conflict", "won"]
    assert final.data == {"owner": f"pass{outcomes.index('won')}"}
    return outcomes


def _increment(store: StateStore, table: str, times: int) -> int:
    """Read-modify-write with retry on conflict; answers how many conflicts it met."""
    conflicts = 0
    for _ in range(times):
        while True:
            entity = store.get(table, "HQ", "counter")
            assert entity is not None
            try:
                store.replace(entity, {"n": entity.data["n"] + 1})
                break
            except ConflictError:
                conflicts += 1
    return conflicts


def test_sqlite_two_threads_only_one_update_wins(tmp_path: Path) -> None:
    for _ in range(5):
        path = tmp_path / f"race{_}.sqlite3"
        _race(lambda p=path: SqliteStateStore(p), TABLE)  # type: ignore[misc]


def test_tables_two_threads_only_one_update_wins(azurite: Azurite, table: str) -> None:
    _race(lambda: TableStateStore.from_connection_string(azurite.connection_string), table)


def test_tables_concurrent_increments_lose_nothing(azurite: Azurite, table: str) -> None:
    stores = [TableStateStore.from_connection_string(azurite.connection_string) for _ in range(2)]
    stores[0].insert(table, "HQ", "counter", {"n": 0})
    threads = [threading.Thread(target=_increment, args=(s, table, 25)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert stores[0].get(table, "HQ", "counter").data == {"n": 50}  # type: ignore[union-attr]


def _process_worker(path: str, barrier: Any, results: Any, times: int) -> None:
    store = SqliteStateStore(path)
    seen = store.get(TABLE, "HQ", "d1")
    assert seen is not None
    barrier.wait()
    try:
        store.replace(seen, {"owner": multiprocessing.current_process().name})
        outcome = "won"
    except ConflictError:
        outcome = "conflict"
    barrier.wait()
    conflicts = _increment(store, TABLE, times)
    results.put((outcome, conflicts))
    store.close()


def test_sqlite_two_processes_one_wins_and_increments_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    with SqliteStateStore(path) as store:
        store.insert(TABLE, "HQ", "d1", {"owner": "nobody"})
        store.insert(TABLE, "HQ", "counter", {"n": 0})
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_process_worker, args=(str(path), barrier, results, 100), name=f"pass{i}")
               for i in range(2)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(30)
        assert w.exitcode == 0
    assert sorted(o for o, _ in outcomes) == ["conflict", "won"]
    with SqliteStateStore(path) as store:
        assert store.get(TABLE, "HQ", "counter").data == {"n": 200}  # type: ignore[union-attr]
        assert store.get(TABLE, "HQ", "d1").data["owner"] in {"pass0", "pass1"}  # type: ignore[union-attr]
