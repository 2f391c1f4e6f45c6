from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.service.audit import AuditLog
from teams_sip.service.ports.store import StateStore
from teams_sip.service.roster_store import ImportRecord, RosterRow, RosterStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    if request.param == "memory":
        return MemoryStateStore()
    return SqliteStateStore(tmp_path / "state.sqlite")


def _row(hid: str, site: str, import_id: str, upn: str = "a@contoso.com") -> RosterRow:
    return RosterRow(hid, "ipei", upn, "A", "personal", site, date(2026, 3, 16), "EMEA", "", "", import_id, 2)


def _commit(roster: RosterStore, import_id: str, sites: tuple[str, ...], minute: int) -> None:
    roster.commit(ImportRecord(import_id, "x.csv", "admin", T0.replace(minute=minute), f"imports/{import_id}/x.csv",
                               sites, {"accepted": 1}))


def test_staged_rows_are_invisible_until_commit(store: StateStore) -> None:
    roster = RosterStore(store)
    roster.stage("i1", [_row(f"00{i:010X}", "Lyon", "i1") for i in range(250)])
    assert roster.current() == []
    _commit(roster, "i1", ("Lyon",), 1)
    current = roster.current()
    assert len(current) == 250 and current[0] == _row("000000000000", "Lyon", "i1")


def test_a_later_import_replaces_only_the_sites_it_names(store: StateStore) -> None:
    roster = RosterStore(store)
    roster.stage("i1", [_row("000000000001", "Lyon", "i1"), _row("000000000002", "Oslo", "i1")])
    _commit(roster, "i1", ("Lyon", "Oslo"), 1)
    roster.stage("i2", [_row("000000000003", "Lyon", "i2")])
    _commit(roster, "i2", ("Lyon",), 2)
    assert [(r.hardware_id, r.site, r.import_id) for r in roster.current()] == [
        ("000000000002", "Oslo", "i1"),
        ("000000000003", "Lyon", "i2"),
    ]
    assert [r.import_id for r in roster.imports()] == ["i1", "i2"]
    record = roster.get_import("i2")
    assert record is not None and record.sites == ("Lyon",)
    assert roster.get_import("nope") is None


def test_audit_rows_round_trip_in_order(store: StateStore) -> None:
    audit = AuditLog(store)
    audit.record(T0.replace(minute=5), "admin@contoso.com", "renew-code", "0003717C0E0A", "req-2")
    audit.record(T0, "timer", "reconcile", "pass", "run-1", {"codes": 3})
    entries = audit.entries("2026-03")
    assert [(e.actor, e.action, e.details) for e in entries] == [
        ("timer", "reconcile", {"codes": 3}),
        ("admin@contoso.com", "renew-code", {}),
    ]
