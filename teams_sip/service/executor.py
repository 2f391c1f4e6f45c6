"""Carrying out a plan through the provisioning port, crash-safely.

Order per pass: (1) every changed record is saved, and a record whose device needs a Teams call is
saved with the call recorded as intended, all but a new device's registration (register is
idempotent and the roster still names the device, so a pass that dies after the call registers it
again next time, Teams answering `exists`; its record is saved once, with the outcome, which spares
a large upload a second write of every handset); (2) the calls are made in bulk (codes for several
sites and install days share a call) and together; (3) issued codes are handed to `deliver`
(worksheets) before anything else, so a code Teams issued is never lost silently; (4) the records
are settled. A pass killed between any two steps leaves intents that the next plan settles from
what Teams reports, so no device is lost and no second code is issued without cause. Each step's
saves go to the store in atomic batches (a pass writes thousands of records; one transaction each
was most of its time). Every save names the etag it read: a device another pass changed meanwhile
is skipped (ConflictError) and left to that pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime

from teams_sip.domain.lifecycle.actions import IssueCodes, Plan, Register, ReleaseRemoved, RenewCode
from teams_sip.domain.lifecycle.outcomes import (
    intend,
    settle_already_activated,
    settle_code,
    settle_failed,
    settle_not_registered,
    settle_registered,
    settle_released,
)
from teams_sip.domain.lifecycle.records import DeviceRecord, IntentKind
from teams_sip.domain.lifecycle.states import IllegalTransitionError
from teams_sip.domain.secrets import Secret
from teams_sip.service.device_store import DeviceStore, StoredDevice
from teams_sip.service.ports.provisioning import (
    AWAITING_ADMIN,
    DeviceAlreadyActivatedError,
    DeviceRegistration,
    IssuedCode,
    ProvisioningError,
    ProvisioningPort,
)

MAX_CODES_PER_CALL = 500
"""docs/provisioning-api.md: issueCodes takes 1..500 hardware ids per call."""


@dataclass(frozen=True)
class DeliveredCode:
    hardware_id: str
    site: str
    install_date: date | None
    code: Secret = field(repr=False)
    expires_at: datetime
    generated_after: datetime | None = None  # assisted export without expiries: expires_at is derived from it


@dataclass
class Execution:
    saved: int = 0
    conflicts: list[str] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    issued: list[DeliveredCode] = field(default_factory=list)
    awaiting_admin: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    after: dict[str, DeviceRecord] = field(default_factory=dict)


Deliver = Callable[[Sequence[DeliveredCode]], Sequence[tuple[str, str]] | None]


def _as_intended(record: DeviceRecord) -> DeviceRecord:
    return record


def _intents(plan: Plan) -> dict[str, tuple[IntentKind, str]]:
    out: dict[str, tuple[IntentKind, str]] = {}
    for action in plan.actions:
        if isinstance(action, Register):
            out[action.hardware_id] = (IntentKind.REGISTER, action.cause)
        elif isinstance(action, IssueCodes):
            out.update(dict.fromkeys(action.hardware_ids, (IntentKind.ISSUE_CODE, "first code")))
        elif isinstance(action, RenewCode):
            out[action.hardware_id] = (IntentKind.ISSUE_CODE, action.cause)
        elif isinstance(action, ReleaseRemoved) and action.remove_in_teams:
            out[action.hardware_id] = (IntentKind.RELEASE, "removed from the roster")
    return out


class Executor:
    def __init__(self, devices: DeviceStore, provisioning: ProvisioningPort, deliver: Deliver, *,
                 fingerprint_key: bytes, calls_at_once: int = 4) -> None:
        self._devices = devices
        self._key = fingerprint_key  # Wiring.fingerprint_key: codes are stored only as keyed fingerprints
        self._provisioning = provisioning
        self._deliver = deliver
        self._at_once = max(1, calls_at_once)  # issueCodes calls in flight together (HTTP_MAX_CONCURRENCY)

    def run(self, plan: Plan, stored: Mapping[str, StoredDevice]) -> Execution:
        result = Execution(after={hid: s.record for hid, s in stored.items()})
        current, unsaved = self._save_intended(plan, stored, result)
        self._register(plan, current, unsaved, result)
        self._issue(plan, current, result)
        self._release(plan, current, result)
        return result

    def _save_all(self, changes: Mapping[str, DeviceRecord], current: dict[str, StoredDevice | None],
                  result: Execution) -> None:
        """One step's records in as few store transactions as the store allows (DeviceStore.save_many);
        a device another pass changed meanwhile is dropped from `current` and left to that pass."""
        hids = sorted(changes)
        saved = self._devices.save_many([(current.get(hid), changes[hid]) for hid in hids])
        for hid, stored in zip(hids, saved, strict=True):
            if stored is None:
                result.conflicts.append(hid)
                current.pop(hid, None)
                continue
            current[hid] = stored
            result.after[hid] = stored.record
            result.saved += 1

    def _save_intended(self, plan: Plan, stored: Mapping[str, StoredDevice], result: Execution
                       ) -> tuple[dict[str, StoredDevice | None], dict[str, DeviceRecord]]:
        """Every intent is durable before the first Teams call of the pass, but a new device's registration:
        those records (intent included) come back apart, for `_register` to save once Teams answers."""
        intents = _intents(plan)
        current: dict[str, StoredDevice | None] = dict(stored)
        changes: dict[str, DeviceRecord] = {}
        unsaved: dict[str, DeviceRecord] = {}
        for hid in set(plan.records) | set(intents):
            record = plan.records.get(hid) or stored[hid].record
            if hid in intents:
                kind, cause = intents[hid]
                record = intend(record, kind, plan.now, cause)
                if kind is IntentKind.REGISTER and hid not in stored:
                    unsaved[hid] = record
                    continue
            changes[hid] = record
        self._save_all(changes, current, result)
        return current, unsaved

    def _settle_all(self, changes: Sequence[tuple[str, Callable[[DeviceRecord], DeviceRecord]]],
                    current: dict[str, StoredDevice | None], result: Execution,
                    unsaved: Mapping[str, DeviceRecord] | None = None) -> None:
        """Apply each outcome to the record held, or to a new one not saved yet (`unsaved`; a transition
        the record refuses marks it failed), then save them together."""
        settled: dict[str, DeviceRecord] = {}
        for hid, change in changes:
            held = current.get(hid)
            record = held.record if held is not None else (unsaved or {}).get(hid)
            if record is None:
                continue
            base = settled.get(hid, record)
            try:
                settled[hid] = change(base)
            except IllegalTransitionError as exc:
                result.failures.append((hid, str(exc)))
                settled[hid] = settle_failed(base)
        self._save_all(settled, current, result)

    def _register(self, plan: Plan, current: dict[str, StoredDevice | None], unsaved: Mapping[str, DeviceRecord],
                  result: Execution) -> None:
        wanted = [a for a in plan.of_type(Register)
                  if current.get(a.hardware_id) is not None or a.hardware_id in unsaved]
        if not wanted:
            return
        try:
            answers = self._provisioning.register([DeviceRegistration(a.hardware_id, a.site) for a in wanted])
        except ProvisioningError as exc:
            result.failures.extend((a.hardware_id, f"registration not confirmed: {exc}") for a in wanted)
            self._save_all(unsaved, current, result)  # with their intents: the next pass settles them from Teams
            return
        answered = {a.hardware_id for a in answers}
        changes: list[tuple[str, Callable[[DeviceRecord], DeviceRecord]]] = [
            (hid, _as_intended) for hid in unsaved if hid not in answered]  # no answer: saved with the intent
        for answer in answers:
            if answer.status in ("created", "exists"):
                changes.append((answer.hardware_id, lambda r: settle_registered(r, plan.now)))
                result.registered.append(answer.hardware_id)
            else:
                changes.append((answer.hardware_id, settle_failed))
                result.failures.append((answer.hardware_id, answer.error or "registration refused"))
        self._settle_all(changes, current, result, unsaved)

    def _issue(self, plan: Plan, current: dict[str, StoredDevice | None], result: Execution) -> None:
        """Codes go out in as few calls as the contract allows (MAX_CODES_PER_CALL): the groups (one per
        site and install day) are concatenated, never split across calls, so a failed call costs whole
        groups and each site's worksheet is written once per pass. The calls go out together (each a
        round trip the others need not wait for); their answers are delivered and settled in order."""
        groups: dict[tuple[str, date | None], list[str]] = {}
        for action in plan.actions:
            if isinstance(action, IssueCodes):
                groups.setdefault((action.site, action.install_date), []).extend(action.hardware_ids)
            elif isinstance(action, RenewCode):
                groups.setdefault((action.site, action.install_date), []).append(action.hardware_id)
        calls: list[list[tuple[str, date | None, str]]] = [[]]
        for (site, day), hids in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            ready = [(site, day, h) for h in hids if current.get(h) is not None]
            if calls[-1] and len(calls[-1]) + len(ready) > MAX_CODES_PER_CALL:
                calls.append([])
            calls[-1].extend(ready)
        calls = [call for call in calls if call]
        if not calls:
            return
        with ThreadPoolExecutor(max_workers=min(len(calls), self._at_once)) as pool:
            sent = [pool.submit(self._provisioning.issue_codes, [hid for _, _, hid in call]) for call in calls]
            stopped: Exception | None = None
            for call, answered in zip(calls, sent, strict=True):
                try:
                    self._issue_answered(call, answered, plan.now, current, result)
                except Exception as exc:  # raised once every code Teams issued is delivered
                    stopped = stopped or exc
        if stopped is not None:
            raise stopped

    def _issue_answered(self, call: list[tuple[str, date | None, str]], answered: Future[list[IssuedCode]],
                        now: datetime, current: dict[str, StoredDevice | None], result: Execution) -> None:
        """One call's answer: the codes to the worksheets first, then the records settled. A call the
        pass was stopped before (its lease lost) raises only after the other calls' codes are delivered."""
        where = {hid: (site, day) for site, day, hid in call}
        try:
            answers = answered.result()
        except ProvisioningError as exc:
            result.failures.extend((hid, f"codes not confirmed: {exc}") for _, _, hid in call)
            return
        delivered = [
            DeliveredCode(a.hardware_id, *where[a.hardware_id], a.code, a.expires_at)
            for a in answers
            if a.code is not None and a.expires_at is not None and a.hardware_id in where
        ]
        if delivered:
            # before settling: a code Teams issued must reach a worksheet; a site whose worksheet
            # failed is reported, and the other sites' codes still go out and settle
            result.failures.extend(self._deliver(delivered) or ())
            result.issued.extend(delivered)
        changes = [c for c in (self._code_outcome(a, now, result) for a in answers) if c is not None]
        self._settle_all(changes, current, result)

    def _code_outcome(self, answer: IssuedCode, now: datetime, result: Execution
                      ) -> tuple[str, Callable[[DeviceRecord], DeviceRecord]] | None:
        hid = answer.hardware_id
        if answer.code is not None and answer.expires_at is not None:
            code, expires = answer.code, answer.expires_at
            return hid, lambda r: settle_code(r, code, expires, now, fingerprint_key=self._key)
        if answer.error_code == AWAITING_ADMIN:
            result.awaiting_admin.append(hid)  # the intent stays until the admin's code export arrives
            return None
        if answer.error_code == "alreadyActivated":  # the handset dialled a code Teams knew: follow it
            return hid, lambda r: settle_already_activated(r, now)
        if answer.error_code == "notRegistered":  # Teams lost the registration: register again
            result.failures.append((hid, "Teams no longer knows the device; it is registered again"))
            return hid, lambda r: settle_not_registered(r, now)
        result.failures.append((hid, answer.error_message or answer.error_code or "no code issued"))
        return hid, settle_failed

    def _release(self, plan: Plan, current: dict[str, StoredDevice | None], result: Execution) -> None:
        released: list[tuple[str, Callable[[DeviceRecord], DeviceRecord]]] = []
        for action in plan.of_type(ReleaseRemoved):
            if not action.remove_in_teams or current.get(action.hardware_id) is None:
                continue
            try:
                self._provisioning.remove(action.hardware_id)
            except DeviceAlreadyActivatedError:
                result.failures.append((action.hardware_id, "already activated: Teams keeps it until it goes stale"))
            except ProvisioningError as exc:
                result.failures.append((action.hardware_id, f"removal not confirmed: {exc}"))
                continue
            else:
                result.removed.append(action.hardware_id)
            released.append((action.hardware_id, settle_released))
        self._settle_all(released, current, result)
