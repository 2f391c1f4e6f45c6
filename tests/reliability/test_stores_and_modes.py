"""The whole small rollout on each state store (SQLite file, Azure Table Storage through Azurite,
memory) in API mode, and end to end in assisted mode, where the admin does the two TAC steps by
hand (on the simulated tenant here): upload the "MAC id"/"Location" file, generate and export codes.
Each ends in the same states; Teams' codes, the worksheets and the records agree throughout.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.adapters.store.tables import TableStateStore
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.code_import import import_codes
from teams_sip.service.ports.store import StateStore
from teams_sip.service.rollout import Rollout
from tests.azurite import Azurite, running
from tests.reliability.harness import (
    World,
    check_invariants,
    handsets,
    later,
    projection,
    records,
    roster_csv,
    sign_in_all,
    world,
)

FLEET = handsets(8, blocked_every=4)
DAY = FLEET[0].day


@pytest.fixture(scope="module")
def azurite() -> Iterator[Azurite]:
    yield from running(("table",))


def _open(kind: str, tmp: Path, request: pytest.FixtureRequest) -> Callable[[], StateStore]:
    if kind == "sqlite":
        return lambda: SqliteStateStore(tmp / "state.sqlite3")
    if kind == "tables":
        server: Azurite = request.getfixturevalue("azurite")
        return lambda: TableStateStore.from_connection_string(server.connection_string)
    shared = MemoryStateStore()
    return lambda: shared


def _dial(w: World, hids: set[str]) -> None:
    for line in w.worksheet_lines():
        if line["hardware_id"] in hids:
            w.sim.dial_code(line["hardware_id"], line["code"])


def _api_life(w: World, open_store: Callable[[], StateStore]) -> dict[str, Any]:
    """Import, register, codes on the day, some dialled and signed in, the rest lapse and are renewed."""
    rollout = Rollout(w.wiring(open_store()))
    try:
        rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp")
        assert rollout.run_pass().ran
        check_invariants(w, rollout)
        w.open_day(DAY)
        assert rollout.run_pass().ran
        check_invariants(w, rollout)
        first = {h.hardware_id for h in w.eligible[:3]}
        _dial(w, first)
        later(w)
        rollout.run_pass()
        sign_in_all(w)
        later(w)
        rollout.run_pass()
        w.clock.advance(timedelta(hours=24))  # the others' codes lapse unused; the window is still open
        renewed = rollout.run_pass()
        assert renewed.execution is not None
        assert {c.hardware_id for c in renewed.execution.issued} == {h.hardware_id for h in w.eligible} - first
        check_invariants(w, rollout)
        return {"states": projection(rollout, w.clock.now()),
                "teams": {h: s for h, (s, _c, _e) in w.teams().items()},
                "codes": {h: len(c) for h, c in w.issued.items()}}
    finally:
        rollout.ports.close()


@pytest.fixture(scope="module")
def on_memory(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("memory")
    with world(tmp, FLEET) as w:
        return _api_life(w, _open("memory", tmp, request))


@pytest.mark.parametrize("kind", ["sqlite", "tables"])
def test_the_rollout_is_the_same_on_every_store(kind: str, tmp_path: Path, request: pytest.FixtureRequest,
                                                on_memory: dict[str, Any]) -> None:
    with world(tmp_path, FLEET) as w:
        result = _api_life(w, _open(kind, tmp_path, request))
    assert result == on_memory
    assert sorted(result["codes"].values()) == [1, 1, 1, 2, 2, 2]
    assert sorted(result["teams"].values()) == ["signedIn"] * 3 + ["waitingOnActivation"] * 3


def _admin_uploads_tac_files(w: World) -> int:
    """The admin uploads every TAC file teams-sip wrote (Waiting on activation > Upload)."""
    artifacts, count = FolderArtifactStore(w.folder), 0
    for path in artifacts.list("assisted/"):
        if path.endswith("tac-upload.csv"):
            rows = list(csv.DictReader(io.StringIO((artifacts.get(path) or b"").decode("utf-8-sig"))))
            with w.sim.world.lock:
                for row in rows:
                    w.sim.world.devices.register(row["MAC id"].replace("-", ""), row["Location"], w.clock.now())
                    count += 1
    return count


def _admin_exports_codes(w: World) -> bytes:
    """The admin generates codes for the handsets each task names and exports them (TAC's columns)."""
    artifacts = FolderArtifactStore(w.folder)
    wanted: list[str] = []
    for path in artifacts.list("outbox/"):
        if "codes-needed" in path and path.endswith(".csv"):
            rows = csv.DictReader(io.StringIO((artifacts.get(path) or b"").decode("utf-8-sig")))
            wanted += [row["Hardware ID"].replace("-", "") for row in rows]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["MAC address", "Verification code", "Expiration time"])
    with w.sim.world.lock:
        for hid in sorted(set(wanted)):
            code, expires = w.sim.world.devices.issue_code(hid, w.clock.now())
            writer.writerow(["-".join(hid[i:i + 2] for i in range(0, 12, 2)), code.reveal(), expires.isoformat()])
    return out.getvalue().encode()


def test_assisted_mode_end_to_end(tmp_path: Path) -> None:
    with world(tmp_path, FLEET, mode="assisted") as w, SqliteStateStore(tmp_path / "s.sqlite3") as store:
        rollout = Rollout(w.wiring(store))
        try:
            rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="imp")
            assert rollout.run_pass().ran
            eligible = {h.hardware_id for h in w.eligible}
            assert {h for h, r in records(rollout).items() if r.state is DeviceState.REGISTERED} == eligible
            assert _admin_uploads_tac_files(w) == len(eligible)
            assert set(w.teams()) == eligible, "the TAC files name exactly the eligible handsets"

            w.open_day(DAY)
            asked = rollout.run_pass()
            assert asked.execution is not None and sorted(asked.execution.awaiting_admin) == sorted(eligible)
            assert not w.worksheet_lines(), "no worksheet before the admin's codes arrive"
            tasks = [json.loads(FolderArtifactStore(w.folder).get(p) or b"{}")
                     for p in FolderArtifactStore(w.folder).list("outbox/") if p.endswith("admin-task.json")]
            assert any("Generate verification codes" in t["subject"] for t in tasks)
            uploads = [t["text"] for t in tasks if "Upload" in t["subject"]]
            assert uploads and all("field practice for Poly Rove" in text for text in uploads)
            assert rollout.run_pass().ran  # a pass meanwhile asks nobody twice and loses no intent
            assert all(r.pending is not None for h, r in records(rollout).items() if h in eligible)

            export = _admin_exports_codes(w)
            outcome = import_codes(rollout, export, "tac-codes.csv", actor="admin", correlation_id="codes")
            assert outcome.settled == len(eligible), outcome.to_dict()
            assert import_codes(rollout, export, "again.csv", actor="admin", correlation_id="c2").settled == 0
            check_invariants(w, rollout)
            assert {h for h, r in records(rollout).items() if r.state is DeviceState.CODE_ISSUED} == eligible

            _dial(w, eligible)
            sign_in_all(w)
            later(w)
            rollout.run_pass()
            states = {h: r.state for h, r in records(rollout).items()}
            assert {h for h, s in states.items() if s is DeviceState.SIGNED_IN} == eligible, states
            check_invariants(w, rollout)
        finally:
            rollout.ports.close()
