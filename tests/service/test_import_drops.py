"""Issue 24, item 2: a re-import with rejected rows never silently drops handsets. A rejected row of
a known handset keeps its previous roster row; the report names every handset the file would drop;
dropping more than IMPORT_MAX_DROPS needs explicit confirmation, without which nothing changes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.service.audit import AuditLog
from teams_sip.service.imports import ImportOutcome, RemovalsNeedConfirmation, import_roster
from teams_sip.service.roster_store import RosterStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HEADER = "IPEI,UPN,Site,Install date\n"
IPEIS = ["0DEADBEEF4", "0004D5F980", "03717C0E0A", "0000100001", "0000100002", "0000100003", "0000100004",
         "0000100005"]


def _lines(rows: list[tuple[str, str, str, str]]) -> bytes:
    return (HEADER + "".join(f"{i},{u},{s},{d}\n" for i, u, s, d in rows)).encode()


def _roster(n: int, site: str = "Lyon") -> list[tuple[str, str, str, str]]:
    return [(IPEIS[k], f"user{k}@contoso.com", site, "2026-03-17") for k in range(n)]


def _run(data: bytes, store: MemoryStateStore, out: Path, minutes: int = 0, max_drops: int = 5,
         allow_removals: bool = False) -> ImportOutcome:
    return import_roster(data, "r.csv", actor="admin@contoso.com", at=T0 + timedelta(minutes=minutes),
                         correlation_id="c", roster=RosterStore(store), artifacts=FolderArtifactStore(out),
                         audit=AuditLog(store), max_drops=max_drops, allow_removals=allow_removals)


def test_rejected_rows_of_known_handsets_keep_their_previous_rows(tmp_path: Path) -> None:
    store = MemoryStateStore()
    _run(_lines(_roster(3)), store, tmp_path)
    again = _roster(3)
    again[1] = (IPEIS[1], "user1@contoso.com", "", "2026-03-17")  # merged cells: a blank Site
    again[2] = (IPEIS[2], "user2@contoso.com", "Lyon", "2026-03-1x")  # a date typo
    outcome = _run(_lines(again), store, tmp_path, minutes=1)
    assert outcome.import_id is not None and outcome.result.summary["rejected"] == 2
    current = {r.hardware_id: r for r in RosterStore(store).current()}
    assert set(current) == {"00" + i for i in IPEIS[:3]}  # nothing dropped
    assert current["00" + IPEIS[2]].install_date is not None  # the previous row, as it was
    report = outcome.report()["roster_changes"]
    assert [(k["hardware_id"], k["row"]) for k in report["kept"]] == [("00" + IPEIS[1], 3), ("00" + IPEIS[2], 4)]
    assert report["dropped"] == []


def test_every_report_lists_the_handsets_the_file_drops(tmp_path: Path) -> None:
    store = MemoryStateStore()
    _run(_lines(_roster(3)), store, tmp_path)
    _run(_lines([(IPEIS[5], "oslo@contoso.com", "Oslo", "2026-03-17")]), store, tmp_path, minutes=1)
    outcome = _run(_lines(_roster(1)), store, tmp_path, minutes=2)  # Lyon now holds one of its three
    dropped = outcome.report()["roster_changes"]["dropped"]
    assert [d["hardware_id"] for d in dropped] == ["00" + IPEIS[1], "00" + IPEIS[2]]
    assert {d["site"] for d in dropped} == {"Lyon"}  # Oslo is not named, so it keeps its handset
    assert {r.site for r in RosterStore(store).current()} == {"Lyon", "Oslo"}
    stored = (tmp_path / "imports" / str(outcome.import_id) / "report.json").read_text()
    assert "00" + IPEIS[2] in stored and '"dropped"' in stored


def test_dropping_more_than_the_threshold_needs_confirmation_and_changes_nothing(tmp_path: Path) -> None:
    store = MemoryStateStore()
    _run(_lines(_roster(8)), store, tmp_path)
    before = RosterStore(store).current()
    files_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(RemovalsNeedConfirmation) as refused:
        _run(_lines(_roster(2)), store, tmp_path, minutes=1, max_drops=5)
    message = str(refused.value)
    assert "would drop 6 rostered handset(s)" in message and "00" + IPEIS[7] in message
    assert "--allow-removals" in message
    assert RosterStore(store).current() == before and len(RosterStore(store).imports()) == 1
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == files_before
    assert len(refused.value.outcome.changes.dropped) == 6

    confirmed = _run(_lines(_roster(2)), store, tmp_path, minutes=2, max_drops=5, allow_removals=True)
    assert confirmed.import_id is not None and confirmed.changes.removals_allowed
    assert len(RosterStore(store).current()) == 2


def test_up_to_the_threshold_is_applied_and_reported(tmp_path: Path) -> None:
    store = MemoryStateStore()
    _run(_lines(_roster(8)), store, tmp_path)
    outcome = _run(_lines(_roster(3)), store, tmp_path, minutes=1, max_drops=5)
    assert outcome.import_id is not None and len(outcome.changes.dropped) == 5
    assert len(RosterStore(store).current()) == 3
