"""A small rollout on the simulated tenant that reliability and fault tests replay with crashes,
kills, concurrent passes and faults, plus the invariants each replay must keep.

The invariants are read from both sides: the store (records) and the simulator's own devices and
codes (what Teams holds), with the worksheets as the technician sees them. A crash is a
BaseException that is not an Exception, raised by wrappers around the real ports, so nothing in
the product can catch it: the pass dies where it stands, as a killed process would.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore
from teams_sip.bootstrap import Wiring, build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.domain.lifecycle.windows import CODE_VALIDITY, InstallWindow, WindowRule, install_window
from teams_sip.domain.secrets import Secret
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import StateStore
from teams_sip.service.rollout import Rollout
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)  # a Friday; installs the next Tuesday and Wednesday
SITE_ZONES = {"Lyon Plant": "Europe/Paris", "Oslo Depot": "Europe/Oslo", "Lisbon Yard": "Europe/Lisbon"}
FAST_HTTP = {"HTTP_RETRY_BASE_DELAY_SECONDS": "0.01", "HTTP_RETRY_MAX_DELAY_SECONDS": "5"}


class Crash(BaseException):
    """The process dies here. Not an Exception, so no `except Exception` in the product stops it."""


@dataclass(frozen=True)
class Handset:
    ipei: str  # 10 hex digits
    upn: str
    name: str
    site: str
    day: date
    case: str = "eligible"

    @property
    def hardware_id(self) -> str:
        return "00" + self.ipei


def handsets(count: int, *, days: Sequence[date] = (date(2026, 3, 17),), blocked_every: int = 0) -> list[Handset]:
    """`count` handsets spread over the sites and install days; every `blocked_every`-th user has no
    licence (so the pre-flight blocks it and it must never be registered or get a code)."""
    sites = list(SITE_ZONES)
    out = []
    for n in range(count):
        case = "unlicensed" if blocked_every and n % blocked_every == blocked_every - 1 else "eligible"
        out.append(Handset(f"0{0x0100 + n // 50000:04X}{n % 50000 + 0x10000:05X}", f"user{n:04d}@contoso.com",
                           f"User {n}", sites[n % len(sites)], days[(n // len(sites)) % len(days)], case))
    return out


def roster_csv(items: Iterable[Handset]) -> bytes:
    lines = ["IPEI,UPN,Display name,Site,Install date,Account type"]
    lines += [f"{h.ipei},{h.upn},{h.name},{h.site},{h.day.isoformat()},personal" for h in items]
    return ("\n".join(lines) + "\n").encode()


def sites_csv() -> str:
    rows = [f"{name},EMEA,{zone},it-{name.split()[0].lower()}@contoso.com,no" for name, zone in SITE_ZONES.items()]
    return "name,region,time zone,contacts,bulk sign-in\n" + "\n".join(rows) + "\n"


def window_of(handset: Handset) -> InstallWindow:
    return install_window(handset.day, SITE_ZONES[handset.site], WindowRule())


@dataclass
class World:
    """One simulated tenant, its clock, the roster and the settings a pass is built from."""

    sim: SimulatedTenant
    clock: ManualClock
    fleet: list[Handset]
    folder: Path
    values: dict[str, str]
    issued: dict[str, list[tuple[str, datetime]]] = field(default_factory=dict)  # hid -> [(fingerprint, expiry)]
    answered_at_crash: list[str] = field(default_factory=list)  # devices whose codes a crash left unsettled
    codes: set[str] = field(default_factory=set)  # every code seen in Teams or on a worksheet, for leak scans

    @property
    def eligible(self) -> list[Handset]:
        return [h for h in self.fleet if h.case == "eligible"]

    def wiring(self, store: StateStore) -> Wiring:
        return build_wiring(settings_from_values(self.values), clock=self.clock, store=store)

    @property
    def fingerprint_key(self) -> bytes:
        from teams_sip.adapters.fingerprint_key import load_fingerprint_key

        return load_fingerprint_key(settings_from_values(self.values))

    def open_day(self, day: date) -> None:
        """Move the clock to the moment every site's window opens on `day` (07:00 in the eastmost zone
        is earliest; the latest opening is what counts, so every window is open)."""
        opens = max(install_window(day, zone, WindowRule()).opens for zone in SITE_ZONES.values())
        if opens > self.clock.now():
            self.clock.set(opens)

    # --- what Teams holds --------------------------------------------------------------------
    def teams(self) -> dict[str, tuple[str, Secret | None, datetime | None]]:
        """hardware id -> (state, code, expiry) straight from the simulator's devices."""
        with self.sim.world.lock:
            return {h: (d.state, d.code, d.code_expires_at) for h, d in self.sim.world.devices.devices.items()}

    def note_codes(self) -> None:
        """Record each code Teams holds now (a pass issues all its codes at one simulated instant)."""
        for hid, (_state, code, expires) in self.teams().items():
            if code is None or expires is None:
                continue
            self.codes.add(code.reveal())
            seen = self.issued.setdefault(hid, [])
            if not seen or seen[-1][0] != code.fingerprint(self.fingerprint_key):
                seen.append((code.fingerprint(self.fingerprint_key), expires))

    def worksheet_lines(self) -> list[dict[str, Any]]:
        artifacts = FolderArtifactStore(self.folder)
        lines: list[dict[str, Any]] = []
        for path in artifacts.list("worksheets/"):
            if path.endswith("/lines.json"):
                lines.extend(json.loads(artifacts.get(path) or b"[]"))
        self.codes.update(line["code"] for line in lines)
        return lines


@contextmanager
def world(tmp: Path, fleet: list[Handset], *, mode: str = "api", extra: Mapping[str, str] | None = None,
          faults: Mapping[str, float] | None = None, seed: int = 0, start: datetime = START) -> Iterator[World]:
    clock = ManualClock(start)
    (tmp / "sites.csv").write_text(sites_csv())
    users = [(h.upn, h.name, h.case) for h in fleet]
    with SimulatedTenant.start(scenario_for_users(users, seed=seed), clock=clock) as sim:
        if faults:
            sim.set_faults(**faults)
        values = settings_values(sim, provisioning_mode=mode) | FAST_HTTP | {
            "OUTPUT_DIR": str(tmp / "out"), "SITES_FILE": str(tmp / "sites.csv"),
            "ADMIN_CONTACTS": "admin@contoso.com"} | dict(extra or {})
        made = World(sim, clock, fleet, tmp / "out", values)
        WORLDS.append(made)
        yield made


# --- secrets never leak ------------------------------------------------------------------------

WORLDS: list[World] = []  # every World of the running test, for the leak scan after it
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")


def leaks(text: str, w: World, *, codes_allowed: bool = False) -> list[str]:
    """What `text` gives away: the app's client secret, a bearer token, or (unless allowed) a code."""
    found = []
    if w.sim.client_secret in text:
        found.append("the client secret")
    if _JWT.search(text):
        found.append("a token")
    if not codes_allowed:
        w.worksheet_lines()
        found += [f"a verification code ending {c[-2:]}" for c in sorted(w.codes)
                  if re.search(rf"(?<!\d){c}(?!\d)", text)]
    return found


def artefact_leaks(w: World) -> dict[str, list[str]]:
    """Codes may appear only in worksheets (their files and the worksheet mails); secrets nowhere."""
    artifacts = FolderArtifactStore(w.folder)
    out = {}
    for path in artifacts.list():
        worksheet = path.startswith("worksheets/") or (path.startswith("outbox/") and "-worksheet" in path)
        found = leaks((artifacts.get(path) or b"").decode("utf-8", "replace"), w, codes_allowed=worksheet)
        if found:
            out[path] = found
    return out


@pytest.fixture
def logs_hold_no_secrets(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every log line of the test (service at DEBUG, libraries at INFO) and every artefact its
    worlds wrote are scanned after it: no code outside worksheets, no token, no client secret."""
    WORLDS.clear()
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="teams_sip")
    yield
    text = caplog.text
    assert WORLDS, "the scan needs the test's worlds"
    for w in WORLDS:
        assert not leaks(text, w), leaks(text, w)
        assert not artefact_leaks(w), artefact_leaks(w)
    WORLDS.clear()


# --- wrappers that make a pass die at a chosen step --------------------------------------------

def _raise_crash(point: str) -> None:
    raise Crash(point)


class CrashingStore:
    """A StateStore that dies on the n-th device write once armed (the pass's own writes stand)."""

    def __init__(self, inner: StateStore, die: Callable[[str], None] | None = None) -> None:
        self.inner = inner
        self.left: int | None = None
        self.point = ""
        self.die = die or _raise_crash
        self.answered: list[str] = []  # the devices of the last issueCodes call Teams answered

    def arm(self, nth_write: int, point: str = "") -> None:
        self.left, self.point = nth_write, point

    def _count(self, table: str) -> None:
        if table == "devices" and self.left is not None:
            self.left -= 1
            if self.left == 0:
                self.left = None
                self.die(self.point)

    def get(self, *args: Any) -> Any:
        return self.inner.get(*args)

    def insert(self, table: str, *args: Any) -> Any:
        self._count(table)
        return self.inner.insert(table, *args)

    def replace(self, entity: Any, data: Any) -> Any:
        self._count(entity.table)
        return self.inner.replace(entity, data)

    def upsert(self, *args: Any) -> Any:
        return self.inner.upsert(*args)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self.inner.delete(*args, **kwargs)

    def query(self, *args: Any) -> Any:
        return self.inner.query(*args)

    def count(self, *args: Any) -> Any:
        return self.inner.count(*args)

    def batch(self, table: str, partition_key: str, ops: Sequence[Any]) -> Any:
        """Counts each device write of a batch as one write: when the armed write falls inside it, the
        writes before it stand (as if the executor's batches had ended there) and the process dies
        before the rest, so every crash point still falls between two single device writes."""
        if table == "devices" and self.left is not None and self.left <= len(ops):
            if self.left > 1:
                self.inner.batch(table, partition_key, ops[: self.left - 1])
            self.left = None
            self.die(self.point)
        if table == "devices" and self.left is not None:
            self.left -= len(ops)
        return self.inner.batch(table, partition_key, ops)


CRASH_POINTS = {
    # point: (which pass it hits, what dies)
    "mid-intents-register": ("register", "the second device write of the pass (the blocked devices' records)"),
    "before-register": ("register", "after the records without a Teams call are saved, before the register call"),
    "after-register": ("register", "after Teams registered the devices, before any is recorded"),
    "mid-settle-register": ("register", "after the first registration is settled"),
    "mid-intents-codes": ("codes", "the second device write of the install-day pass"),
    "before-issue": ("codes", "after the code intents are saved, before issueCodes"),
    "after-issue": ("codes", "after issueCodes answered, before the worksheet is written"),
    "after-deliver": ("codes", "after the worksheet is written, before the first record is settled"),
    "mid-settle-codes": ("codes", "after the first code is settled"),
}


class CrashingPort:
    """The real provisioning port, with one step of the executor turned into a process death."""

    def __init__(self, inner: ProvisioningPort, point: str, store: CrashingStore) -> None:
        self.inner, self.point, self.store = inner, point, store

    def register(self, devices: Sequence[Any]) -> Any:
        if self.point == "before-register":
            self.store.die(self.point)
        answers = self.inner.register(devices)
        if self.point == "after-register":
            self.store.die(self.point)
        if self.point == "mid-settle-register":
            self.store.arm(2, self.point)
        return answers

    def issue_codes(self, hardware_ids: Sequence[str]) -> Any:
        if self.point == "before-issue":
            self.store.die(self.point)
        answers = self.inner.issue_codes(hardware_ids)
        self.store.answered = list(hardware_ids)
        if self.point == "after-issue":
            self.store.die(self.point)
        if self.point in ("after-deliver", "mid-settle-codes"):
            self.store.arm(1 if self.point == "after-deliver" else 2, self.point)
        return answers

    def list_devices(self, state: Any = None) -> Any:
        return self.inner.list_devices(state)

    def get(self, hardware_id: str) -> Any:
        return self.inner.get(hardware_id)

    def remove(self, hardware_id: str) -> Any:
        return self.inner.remove(hardware_id)


def crashing_rollout(wiring: Wiring, store: CrashingStore, point: str | None) -> Rollout:
    """A Rollout that dies at `point` (see CRASH_POINTS) through `store.die`; a plain one for None."""
    if point is None:
        return Rollout(wiring)
    if point.startswith("mid-intents"):
        store.arm(2, point)
    return WrappedRollout(wiring, lambda port: CrashingPort(port, point, store))


class WrappedRollout(Rollout):
    """The real Rollout whose provisioning port is wrapped (the only seam the tests use)."""

    def __init__(self, wiring: Wiring, wrap: Callable[[ProvisioningPort], Any]) -> None:
        super().__init__(wiring)
        self._wrap = wrap

    def provisioning(self, fence: Callable[[], None] | None = None) -> ProvisioningPort:
        wrapped: ProvisioningPort = self._wrap(super().provisioning(fence))
        return wrapped


# --- invariants ---------------------------------------------------------------------------------

def records(rollout: Rollout) -> dict[str, Any]:
    return {d.record.hardware_id: d.record for d in rollout.devices.all()}


def projection(rollout: Rollout, now: datetime) -> dict[str, tuple[str, bool, str | None, bool]]:
    """What must be equal between a run with crashes and one without: per device its state, whether
    an intent is left, why it needs a person, whether it holds a live code. (The count of codes may
    differ: a code a crash kept from any worksheet is replaced, with that cause in the history.)"""
    return {hid: (r.state.value, r.pending is not None, r.attention, r.code_is_live(now))
            for hid, r in records(rollout).items()}


def check_invariants(w: World, rollout: Rollout, *, settled: bool = True) -> None:
    """No device lost, no code outside its window, never two live codes for one device (what Teams
    holds, what the worksheets show and what the record remembers agree)."""
    now = w.clock.now()
    w.note_codes()
    stored = records(rollout)
    teams = w.teams()
    missing = sorted(h.hardware_id for h in w.fleet if h.hardware_id not in stored)
    assert not missing, f"devices lost from the store: {missing}"
    blocked = {h.hardware_id for h in w.fleet if h.case != "eligible"}
    assert not blocked & set(teams), f"ineligible devices registered in Teams: {sorted(blocked & set(teams))}"
    assert not blocked & set(w.issued), "a code was issued for an ineligible device"
    by_id = {h.hardware_id: h for h in w.fleet}
    for hid, codes in w.issued.items():
        window = window_of(by_id[hid])
        for _fp, expiry in codes:
            issued_at = expiry - CODE_VALIDITY
            assert window.is_open(issued_at), f"{hid}: code issued at {issued_at}, outside {window}"
    live_lines: dict[str, list[str]] = {}
    for line in w.worksheet_lines():
        if datetime.fromisoformat(line["expires_at"]) > now:
            live_lines.setdefault(line["hardware_id"], []).append(line["code"])
    for hid, codes_on_sheets in live_lines.items():
        state, code, expires = teams[hid]
        if state != "waitingOnActivation":
            continue  # dialled: the worksheet's code did its job
        assert len(codes_on_sheets) == 1, f"{hid} has {len(codes_on_sheets)} live codes on worksheets"
        assert code is not None and expires is not None and expires > now, f"{hid}: worksheet code is dead in Teams"
        assert Secret(codes_on_sheets[0]) == code, f"{hid}: the worksheet shows a code Teams has replaced"
    if not settled:
        return
    for hid, record in stored.items():
        assert record.pending is None, f"{hid} still carries an intent after a clean pass"
        state, code, expires = teams.get(hid, ("absent", None, None))
        if code is not None and expires is not None and expires > now and state == "waitingOnActivation":
            assert hid in live_lines, f"{hid}: Teams holds a live code that no worksheet shows"
            key = rollout.ports.fingerprint_key
            assert record.state is DeviceState.CODE_ISSUED and record.code_fingerprint == code.fingerprint(key), hid
            assert record.code_expires_at == expires, hid


def dial_all(w: World) -> int:
    """The technicians dial every live worksheet code of devices still waiting; answers how many."""
    teams, now, done = w.teams(), w.clock.now(), 0
    for line in w.worksheet_lines():
        hid = line["hardware_id"]
        if datetime.fromisoformat(line["expires_at"]) > now and teams[hid][0] == "waitingOnActivation":
            w.sim.dial_code(hid, line["code"])
            done += 1
    return done


def sign_in_all(w: World) -> None:
    teams = w.teams()
    for h in w.fleet:
        if teams.get(h.hardware_id, ("",))[0] == "waitingForSignIn":
            w.sim.sign_in(h.hardware_id, h.upn)


def later(w: World, minutes: int = 30) -> None:
    w.clock.advance(timedelta(minutes=minutes))


class RecordingPort:
    """The real port, counting what reaches Teams per device; `hold` (a call name) parks that call
    until `release` is set, so another pass can run meanwhile."""

    def __init__(self, inner: ProvisioningPort, calls: dict[str, list[str]], hold: str | None = None,
                 holding: Any = None, release: Any = None) -> None:
        self.inner, self.calls, self.hold, self.holding, self.release = inner, calls, hold, holding, release

    def _park(self, name: str) -> None:
        if self.hold == name:
            self.holding.set()
            assert self.release.wait(30), "the other pass never finished"

    def register(self, devices: Sequence[Any]) -> Any:
        self._park("register")
        answer = self.inner.register(devices)  # counted once it got through (a fenced call does not)
        for d in devices:
            self.calls.setdefault("register", []).append(d.hardware_id)
        return answer

    def issue_codes(self, hardware_ids: Sequence[str]) -> Any:
        self._park("issue_codes")
        answer = self.inner.issue_codes(hardware_ids)
        self.calls.setdefault("issue_codes", []).extend(hardware_ids)
        return answer

    def list_devices(self, state: Any = None) -> Any:
        return self.inner.list_devices(state)

    def get(self, hardware_id: str) -> Any:
        return self.inner.get(hardware_id)

    def remove(self, hardware_id: str) -> Any:
        self.calls.setdefault("remove", []).append(hardware_id)
        return self.inner.remove(hardware_id)
