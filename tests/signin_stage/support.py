"""Building blocks for sign-in stage tests: activated device records on a real state store, the
stage over a folder artefact store, and a simulated tenant whose handsets really activated."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from teams_sip.adapters.notify.folder import FolderArtifactStore, FolderNotifier
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.domain.clock import ManualClock
from teams_sip.domain.lifecycle.inputs import RosterEntry, Verdict
from teams_sip.domain.lifecycle.records import DeviceRecord, new_record
from teams_sip.domain.lifecycle.states import DeviceState, transition
from teams_sip.domain.roster_row import RosterRow
from teams_sip.domain.sites import Region, Site
from teams_sip.service.device_store import DeviceStore
from teams_sip.service.ports.bulk_signin import BulkSignInPort
from teams_sip.service.ports.notifier import Notifier
from teams_sip.service.signin_stage import SignInOptions, SignInStage
from teams_sip.simulator import SimulatedTenant

START = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
SITES = (
    Site("Berlin", Region.EMEA, "Europe/Berlin", contacts=("berlin.lead@contoso.example",), bulk_sign_in=True),
    Site("Tokyo", Region.APAC, "Asia/Tokyo", contacts=("tokyo.lead@contoso.example",), bulk_sign_in=True),
    Site("Oslo", Region.EMEA, "Europe/Oslo", bulk_sign_in=False),
)
ADMINS = ("admin@contoso.example",)
_serial = itertools.count(1)


def hw_id(prefix: str = "A1") -> str:
    return f"{prefix}{next(_serial):010X}"


def activated(
    hw: str, upn: str, at: datetime, *, common_area: bool = False, site: str = "Berlin",
    region: Region | None = Region.EMEA, signed_out_at: datetime | None = None,
) -> DeviceRecord:
    """A record that went imported -> ready -> activated at `at` (and signed in/out when asked)."""
    entry = RosterEntry(RosterRow(hw, "ipei", upn, upn.split("@")[0].title(),
                                  "common-area" if common_area else "personal", site, date(2025, 3, 3)),
                        Verdict.ELIGIBLE)
    record = new_record(entry, region, at - timedelta(days=1))
    record = transition(record, DeviceState.READY, at - timedelta(hours=20), "eligible")
    record = transition(record, DeviceState.ACTIVATED, at, "code dialled")
    if signed_out_at is not None:
        record = transition(record, DeviceState.SIGNED_IN, at + timedelta(minutes=5), "signed in")
        record = transition(record, DeviceState.ACTIVATED, signed_out_at, "signed out")
    return record


class Bench:
    """One stage over a memory store, a folder artefact store and the given notifier and clock."""

    def __init__(self, root: Path, clock: ManualClock, notifier: Notifier | None = None,
                 bulk: BulkSignInPort | None = None, options: SignInOptions | None = None) -> None:
        self.clock = clock
        self.store = MemoryStateStore()
        self.devices = DeviceStore(self.store)
        self.artifacts = FolderArtifactStore(root)
        self.notifier = notifier or FolderNotifier(self.artifacts)
        self.stage = SignInStage(self.store, self.notifier, self.artifacts, clock, SITES, bulk=bulk,
                                 options=options or SignInOptions(admin_contacts=ADMINS))

    def add(self, record: DeviceRecord) -> DeviceRecord:
        self.devices.add(record)
        return record

    def files(self, prefix: str = "signin/") -> list[str]:
        return self.artifacts.list(prefix)


def activate_in_sim(sim: SimulatedTenant, hw: str, location: str = "Berlin") -> None:
    """Register, issue a code and dial it in the simulated tenant: Teams waits for a sign-in."""
    with sim.world.lock:
        now = sim.world.tick()
        sim.world.devices.register(hw, location, now)
        code, _ = sim.world.devices.issue_code(hw, now)
    sim.dial_code(hw, code.reveal())
