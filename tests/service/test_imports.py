from datetime import UTC, datetime
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.domain.roster import ImportRefused
from teams_sip.service.audit import AuditLog
from teams_sip.service.imports import ImportOutcome, import_roster
from teams_sip.service.roster_store import RosterStore
from teams_sip.service.site_directory import resolve_sites

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _run(data: bytes, name: str, store: MemoryStateStore, out: Path) -> ImportOutcome:
    return import_roster(data, name, actor="admin@contoso.com", at=T0, correlation_id="req-1",
                         roster=RosterStore(store), artifacts=FolderArtifactStore(out), audit=AuditLog(store))


def test_example_import_keeps_file_report_and_roster(tmp_path: Path) -> None:
    store = MemoryStateStore()
    data = (EXAMPLES / "handsets.csv").read_bytes()
    outcome = _run(data, "handsets.csv", store, tmp_path)
    assert outcome.import_id is not None
    rows = RosterStore(store).current()
    assert len(rows) == outcome.result.summary["devices"] == 9
    assert (tmp_path / "imports" / outcome.import_id / "handsets.csv").read_bytes() == data
    assert (tmp_path / "imports" / outcome.import_id / "report.json").exists()
    [entry] = AuditLog(store).entries("2026-03")
    assert (entry.actor, entry.action, entry.target) == ("admin@contoso.com", "import", outcome.import_id)
    sites = resolve_sites(rows, EXAMPLES / "sites.csv")
    assert {s.name for s in sites.values()} == {"Stockholm HQ", "Lyon Plant", "Chicago Office", "Singapore"}
    assert all(s.region is not None for s in sites.values())


def test_all_rejected_or_refused_files_change_nothing(tmp_path: Path) -> None:
    store = MemoryStateStore()
    bad_rows = b"IPEI,UPN,Site\n3.71707E+11,a@contoso.com,Lyon\n"
    assert _run(bad_rows, "bad.csv", store, tmp_path).import_id is None
    with pytest.raises(ImportRefused):
        _run(b"\x00\x01garbage", "x.pdf", store, tmp_path)
    assert RosterStore(store).imports() == [] and AuditLog(store).entries("2026-03") == []
    assert list(tmp_path.iterdir()) == []


def test_roster_columns_fill_sites_the_file_does_not_name(tmp_path: Path) -> None:
    store = MemoryStateStore()
    csv = (b"IPEI,UPN,Site,Region,Time zone,Site contact\n"
           b"0DEADBEEF4,a@contoso.com,Oslo,EMEA,Europe/Oslo,it@contoso.com\n")
    _run(csv, "oslo.csv", store, tmp_path)
    [site] = resolve_sites(RosterStore(store).current(), None).values()
    assert (site.name, site.region, site.time_zone, site.contacts) == ("Oslo", "EMEA", "Europe/Oslo",
                                                                        ("it@contoso.com",))
