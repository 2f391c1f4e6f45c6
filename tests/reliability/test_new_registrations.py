"""A new handset's registration is the one Teams call not recorded as intended first: register is
idempotent and the roster still names the device, so its record is written once, with the outcome.
When registration cannot be confirmed, the record is kept with its intent for the next pass."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from teams_sip.adapters.store.sqlite import SqliteStateStore
from teams_sip.domain.lifecycle.records import IntentKind
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.service.ports.provisioning import ProvisioningError
from teams_sip.service.rollout import Rollout
from tests.reliability.harness import WrappedRollout, handsets, records, roster_csv, world

FLEET = handsets(8, blocked_every=4)  # six eligible handsets, two users without a licence


class CountingStore:
    """The real store, counting device writes per hardware id."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.writes = inner, Counter[str]()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def batch(self, table: str, partition_key: str, ops: Sequence[Any]) -> Any:
        if table == "devices":
            self.writes.update(op.row_key for op in ops)
        return self.inner.batch(table, partition_key, ops)


class RefusingPort:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def register(self, devices: Sequence[Any]) -> Any:
        raise ProvisioningError("the provisioning service could not be reached")


def test_a_new_device_is_written_once_registered(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        store = CountingStore(SqliteStateStore(tmp_path / "s.sqlite3"))
        rollout = Rollout(w.wiring(store))
        assert rollout.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="i").import_id
        outcome = rollout.run_pass()
        assert outcome.execution is not None and len(outcome.execution.registered) == len(w.eligible)
        stored = records(rollout)
        for h in w.eligible:
            assert store.writes[h.hardware_id] == 1, "saved once, with its outcome"
            assert stored[h.hardware_id].state is DeviceState.REGISTERED and stored[h.hardware_id].pending is None
        assert set(stored) == {h.hardware_id for h in FLEET}, "the blocked handsets are recorded too"


def test_an_unconfirmed_registration_keeps_the_intent_and_the_next_pass_settles_it(tmp_path: Path) -> None:
    with world(tmp_path, FLEET) as w:
        sqlite = SqliteStateStore(tmp_path / "s.sqlite3")
        refusing = WrappedRollout(w.wiring(sqlite), RefusingPort)
        assert refusing.import_file(roster_csv(FLEET), "fleet.csv", actor="admin", correlation_id="i").import_id
        outcome = refusing.run_pass()
        assert outcome.execution is not None and len(outcome.execution.failures) == len(w.eligible)
        stored = records(refusing)
        for h in w.eligible:
            pending = stored[h.hardware_id].pending
            assert pending is not None and pending.kind is IntentKind.REGISTER
        assert not w.teams()

        rollout = Rollout(w.wiring(sqlite))
        rollout.run_pass()
        stored = records(rollout)
        assert {h.hardware_id for h in w.eligible} == set(w.teams())
        assert all(stored[h.hardware_id].state is DeviceState.REGISTERED and stored[h.hardware_id].pending is None
                   for h in w.eligible)
