"""Issue 24 item 11: two uploads at the same clock time. The roster of a site is the latest committed
import's; "latest" was (upload time, import id), and the id ends in the content hash, so within one
second the hash picked the winner. Now a commit number from a counter in the store orders them, on
every store (memory, SQLite, Table Storage on Azurite)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime

from teams_sip.service.ports.store import StateStore
from teams_sip.service.roster_store import ImportRecord, RosterRow, RosterStore

AT = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)


def _import(roster: RosterStore, import_id: str, site: str, upn: str) -> None:
    roster.stage(import_id, [RosterRow("000DEADBEEF4", "ipei", upn, "A", "personal", site, date(2026, 3, 16),
                                       "EMEA", "", "", import_id, 2)])
    roster.commit(ImportRecord(import_id, "x.csv", "admin", AT, f"imports/{import_id}/x.csv", (site,), {}))


def test_the_later_of_two_uploads_in_one_second_wins(store: StateStore) -> None:
    site = f"Lyon {uuid.uuid4().hex[:8]}"  # Azurite is shared by the session's tests
    roster = RosterStore(store)
    suffix = uuid.uuid4().hex[:6]
    _import(roster, f"20260313T090000-ffff{suffix}", site, "first@contoso.com")  # the larger hash first
    _import(roster, f"20260313T090000-0000{suffix}", site, "second@contoso.com")
    assert [r.upn for r in roster.current() if r.site == site] == ["second@contoso.com"]
    _import(roster, f"20260313T090000-8888{suffix}", site, "third@contoso.com")
    assert [r.upn for r in roster.current() if r.site == site] == ["third@contoso.com"]


def test_commits_racing_each_other_get_distinct_numbers(store: StateStore) -> None:
    site = f"Oslo {uuid.uuid4().hex[:8]}"
    roster = RosterStore(store)
    ids = [f"20260313T090000-{uuid.uuid4().hex[:10]}" for _ in range(6)]
    threads = [threading.Thread(target=_import, args=(roster, i, site, f"u{n}@contoso.com")) for n, i in enumerate(ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    numbers = [r.sequence for r in roster.imports() if r.import_id in ids]
    assert len(numbers) == 6 and len(set(numbers)) == 6 and min(numbers) > 0
