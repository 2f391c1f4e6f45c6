from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.domain.lifecycle.inputs import RosterEntry, Verdict
from teams_sip.domain.lifecycle.records import new_record
from teams_sip.domain.lifecycle.states import DeviceState, transition
from teams_sip.domain.roster_row import RosterRow
from teams_sip.domain.sites import Region
from teams_sip.service.device_store import DeviceStore
from teams_sip.service.ports.store import ConflictError, StateStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    return MemoryStateStore() if request.param == "memory" else SqliteStateStore(tmp_path / "s.sqlite")


def _entry(hid: str, site: str = "Lyon Plant") -> RosterEntry:
    row = RosterRow(hid, "ipei", "a@contoso.com", "A", "personal", site, date(2026, 3, 16))
    return RosterEntry(row, Verdict.ELIGIBLE)


def test_round_trip_filters_and_optimistic_concurrency(store: StateStore) -> None:
    devices = DeviceStore(store)
    first = devices.add(new_record(_entry("0003717C0E0A"), Region.EMEA, T0))
    devices.add(new_record(_entry("0004D5F98000", "Singapore"), Region.APAC, T0))
    with pytest.raises(ConflictError):
        devices.add(new_record(_entry("0003717C0E0A"), Region.EMEA, T0))
    assert devices.get("0003717C0E0A") == first
    assert [d.record.hardware_id for d in devices.all({"site": "Singapore"})] == ["0004D5F98000"]
    assert devices.count({"install_date_text": "2026-03-16"}) == 2

    blocked = transition(first.record, DeviceState.BLOCKED, T0, "user not licensed")
    saved = devices.save(first, blocked)
    assert saved.record.state is DeviceState.BLOCKED
    with pytest.raises(ConflictError):
        devices.save(first, blocked)  # stale etag: another pass got there first
    assert devices.count({"state": "blocked"}) == 1


def test_save_many_batches_inserts_and_replaces_and_skips_only_what_another_pass_changed(store: StateStore) -> None:
    devices = DeviceStore(store)
    ids = [f"0003717C{n:04X}" for n in range(250)]  # three store transactions' worth
    added = devices.save_many([(None, new_record(_entry(hid), Region.EMEA, T0)) for hid in ids])
    assert all(a is not None for a in added) and devices.count() == 250

    held = {a.record.hardware_id: a for a in added if a is not None}
    elsewhere = devices.save(held[ids[120]], transition(held[ids[120]].record, DeviceState.BLOCKED, T0, "other pass"))
    changes = [(held[hid], transition(held[hid].record, DeviceState.BLOCKED, T0, "user not licensed"))
               for hid in ids[100:200]]  # one chunk, holding the device the other pass changed
    saved = devices.save_many([*changes, (None, new_record(_entry(ids[0]), Region.EMEA, T0))])

    assert [hid for hid, s in zip(ids[100:200], saved, strict=False) if s is None] == [ids[120]]
    assert saved[-1] is None, "an insert of an existing device is a conflict too"
    assert devices.get(ids[120]) == elsewhere, "the other pass's change stands"
    assert devices.count({"state": "blocked"}) == 100
    assert devices.get(ids[0]) == held[ids[0]], "the refused insert changed nothing"
