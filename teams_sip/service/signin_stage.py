"""The sign-in stage, run by the reconciliation pass after the lifecycle pass.

A handset in state `activated` waits for an account to sign in, and Teams removes it after 14 days
signed out. Personal users get a first notice, reminders and an escalation (domain/signin/personal).
Common-area devices go through bulk sign-in in batches (domain/signin/bulk): every batch is written
as files an admin can run (assisted mode); with a BulkSignInPort it is also submitted and polled
(API mode). A batch whose result is unknown stays in flight and is never resubmitted with other
devices: in API mode its status is asked again each pass, in assisted mode its result file is
waited for and, after a timeout, reported to the admin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from teams_sip.domain.clock import Clock
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.domain.signin.bulk import BulkBatch, BulkCandidate, deadline, plan_batches
from teams_sip.domain.signin.errors import DOCUMENTED_ERRORS, Outcome
from teams_sip.domain.signin.personal import NoticeKind, ReminderPolicy, WaitingDevice, compose, due_notice
from teams_sip.domain.signin.results import ResultFileError, ResultItem, parse_result_file
from teams_sip.domain.signin.scripts import ADMIN_ROLES, MODULE_VERSION, device_csv, powershell_script
from teams_sip.domain.sites import Site, site_key, sites_by_key
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.device_store import DeviceStore
from teams_sip.service.ports.bulk_signin import BatchRefusedError, BulkSignInPort
from teams_sip.service.ports.notifier import ArtifactStore, Message, Notifier
from teams_sip.service.ports.store import MAX_BATCH_OPS, ConflictError, StateStore
from teams_sip.service.signin_records import (
    COMPLETED,
    IN_FLIGHT,
    PLANNED,
    REFUSED,
    SUBMITTED,
    WRITTEN,
    BatchEntry,
    DeviceEntry,
    SignInBook,
)
from teams_sip.service.signin_summary import NeedsPerson, SignInSummary

ARTIFACT_ROOT = "signin"
_PERSON_OUTCOMES = {Outcome.ELIGIBILITY, Outcome.NEEDS_ADMIN, Outcome.NEW_ONBOARDING}
_KINDS = {k.value for k in NoticeKind}
_NOT_FINAL = {"", "notstarted", "inprogress", "pending", "running"}
CHECKLIST = (
    f"MicrosoftTeams PowerShell {MODULE_VERSION} or later is installed (the script declares it).",
    f"You run it as a {' or '.join(ADMIN_ROLES)} (Microsoft advises the least privileged).",
    "Bulk sign-in is enabled for the tenant: Set-CsTeamsSipDevicesConfiguration -BulkSignIn Enabled.",
    "Each site's public IPs are trusted IPs in Teams admin center (Locations > Network topology > Trusted IPs), "
    "added 24 hours or more ago.",
    "The common-area accounts need no MFA (Conditional Access excludes them).",
    "Each base station's provisioning URL ends with /tenantid/<tenant-guid> and the handsets re-provisioned since.",
    "You accept that bulk sign-in resets each account's password to an unknown value.",
)


@dataclass(frozen=True)
class SignInOptions:
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    admin_contacts: tuple[str, ...] = ()
    result_file_timeout: timedelta = timedelta(hours=24)  # assisted mode: then a person is asked
    recheck_after: timedelta = timedelta(hours=24)  # eligibility / admin fixes: batch again after this


@dataclass(frozen=True)
class _Notice:
    entry: DeviceEntry  # as recorded once the message is delivered
    message: Message
    kind: NoticeKind
    upn: str


def is_common_area(record: DeviceRecord) -> bool:
    return record.account_type.replace("_", "-").casefold() == "common-area"


def waiting_since(record: DeviceRecord) -> tuple[datetime, datetime, datetime | None] | None:
    """(waiting since, onboarded at, signed out at) from the record's history; None if never activated."""
    into = [t for t in record.history if t.to_state is DeviceState.ACTIVATED]
    if not into:
        return None
    onboarded = [t.at for t in into if t.from_state is not DeviceState.SIGNED_IN]
    signed_out = [t.at for t in into if t.from_state is DeviceState.SIGNED_IN]
    start = onboarded[-1] if onboarded else into[0].at
    out = signed_out[-1] if signed_out and signed_out[-1] >= start else None
    return into[-1].at, start, out


class SignInStage:
    def __init__(
        self,
        store: StateStore,
        notifier: Notifier,
        artifacts: ArtifactStore,
        clock: Clock,
        sites: Sequence[Site] = (),
        *,
        bulk: BulkSignInPort | None = None,
        options: SignInOptions = SignInOptions(),
    ) -> None:
        self._devices = DeviceStore(store)
        self._book = SignInBook(store)
        self._notifier = notifier
        self._artifacts = artifacts
        self._clock = clock
        self._sites = tuple(sites)
        self._by_key = sites_by_key(self._sites)
        self._bulk = bulk
        self._options = options

    def _site(self, name: str) -> Site | None:
        """find_site by key: a pass looks up a site for each of thousands of devices."""
        return self._by_key.get(site_key(name))

    # --- the pass -----------------------------------------------------------------------------
    def run(self, records: Iterable[DeviceRecord] | None = None) -> SignInSummary:
        """`records`: every device record as the pass just left them (spares reading them back)."""
        now = self._clock.now()
        summary = SignInSummary()
        waiting = self._waiting() if records is None else sorted(
            (r for r in records if r.state == DeviceState.ACTIVATED), key=lambda r: r.hardware_id)
        entries = self._current_entries(waiting)
        for batch in [b for b in self._book.batches() if b.state in IN_FLIGHT]:
            self._follow(batch, entries, now, summary)
        due: list[_Notice] = []  # sent and recorded MAX_BATCH_OPS at a time: a crash re-sends at most those
        for record in waiting:
            if not is_common_area(record) and (notice := self._notice(record, entries, now)):
                due.append(notice)
                if len(due) == MAX_BATCH_OPS:
                    self._send(due, entries, summary)
                    due.clear()
        self._send(due, entries, summary)
        self._batch_common_area([r for r in waiting if is_common_area(r)], entries, now, summary)
        summary.batches_in_flight = sum(1 for b in self._book.batches() if b.state in IN_FLIGHT)
        return summary

    def ingest_result_file(self, data: bytes) -> SignInSummary:
        """An uploaded result file: applied whole to the batch it belongs to, or refused (InputError)."""
        try:
            result = parse_result_file(data)
        except ResultFileError as exc:
            raise InputError(f"Bulk sign-in result file refused: {exc}.") from None
        batch = self._match(result.reference, result.batch_id, result.items)
        summary = SignInSummary()
        if batch.state == COMPLETED:
            summary.errors.append(f"Batch {batch.reference} was already ingested; nothing changed.")
            return summary
        waiting = self._waiting()
        self._apply(batch, result.items, self._current_entries(waiting), self._clock.now(), summary)
        return summary

    def _waiting(self) -> list[DeviceRecord]:
        return [s.record for s in self._devices.all({"state": DeviceState.ACTIVATED.value})]

    # --- personal users -----------------------------------------------------------------------
    def _notice(self, record: DeviceRecord, entries: dict[str, DeviceEntry], now: datetime) -> _Notice | None:
        """The notice due to the device's user now, if any, with its entry as it will be once sent."""
        times = waiting_since(record)
        if times is None:
            return None
        entry = entries[record.hardware_id]
        site = self._site(record.site)
        device = WaitingDevice(
            hardware_id=record.hardware_id,
            upn=record.upn,
            display_name=record.display_name,
            site=record.site,
            location="DECT handset" if record.kind == "ipei" else "desk phone",
            time_zone=site.time_zone if site else "UTC",
            activated_at=times[0],
            notices_sent=tuple(NoticeKind(n) for n in entry.notices if n in _KINDS),
        )
        kind = due_notice(device, now, self._options.reminders)
        if kind is None:
            return None
        contacts = [*(site.contacts if site else ()), *self._options.admin_contacts]
        escalate_to = tuple(dict.fromkeys(c for c in contacts if c.casefold() != record.upn.casefold()))
        composed = compose(device, kind, escalate_to)
        message = Message(composed.to, composed.subject, composed.text, composed.html, category="signin")
        return _Notice(replace(entry, notices=(*entry.notices, kind.value)), message, kind, record.upn)

    def _send(self, due: Sequence[_Notice], entries: dict[str, DeviceEntry], summary: SignInSummary) -> None:
        """Sends the notices as one batch and records those delivered; a failed one is tried next pass."""
        sent: list[DeviceEntry] = []
        for notice, error in zip(due, self._notifier.send_many([n.message for n in due]), strict=True):
            if error is not None:
                summary.notice_failures.append(f"{notice.kind} for {notice.entry.hardware_id} ({notice.upn}): {error}")
                continue
            summary.notices[notice.kind.value] += 1
            sent.append(notice.entry)
        entries.update((e.hardware_id, e) for e in self._book.save_devices(sent))

    # --- common-area accounts ------------------------------------------------------------------
    def _batch_common_area(self, records: list[DeviceRecord], entries: dict[str, DeviceEntry], now: datetime,
                           summary: SignInSummary) -> None:
        candidates: list[BulkCandidate] = []
        by_hw = {r.hardware_id: r for r in records}
        for record in records:
            entry, times = entries[record.hardware_id], waiting_since(record)
            if times is None or entry.batch or not self._open(entry, now):
                continue
            site = self._site(record.site)
            region = record.region or (site.region if site else None)
            problem = ""
            if region is None:
                problem = "No SIP Gateway region is known for its site; add the site with its region to the sites list."
            elif site is not None and not site.bulk_sign_in:
                problem = (f"Site {site.name} is not set up for bulk sign-in: set bulk sign-in for the site, so its "
                           "provisioning URL carries /tenantid/<tenant-guid>, and re-provision the handsets.")
            if problem:
                self._settle(entry, record, Outcome.NEEDS_ADMIN, problem, "", now, entries, summary)
                continue
            assert region is not None
            candidates.append(BulkCandidate(record.hardware_id, record.upn.lower(), region, times[1], times[2]))
        in_flight = Counter(b.region for b in self._book.batches() if b.state in IN_FLIGHT)
        plan = plan_batches(candidates, in_flight, now)
        expired = DOCUMENTED_ERRORS["Bulk Sign-in deadline expired"]
        for candidate in plan.expired:
            entry, record = entries[candidate.hardware_id], by_hw[candidate.hardware_id]
            self._settle(entry, record, Outcome.NEW_ONBOARDING, expired.remedy, "window closed", now, entries, summary)
        summary.deferred += len(plan.deferred)
        due = {c.hardware_id: deadline(c) for c in candidates}
        for batch in plan.batches:
            self._write(batch, min(due[i.hardware_id] for i in batch.items), entries, now, summary)

    def _open(self, entry: DeviceEntry, now: datetime) -> bool:
        """Whether a device may go into a new batch, given its last outcome in this episode."""
        if entry.outcome in ("", Outcome.RETRY):
            return True
        if entry.outcome in (Outcome.ELIGIBILITY, Outcome.NEEDS_ADMIN) and entry.outcome_at:
            return now - datetime.fromisoformat(entry.outcome_at) >= self._options.recheck_after
        return False  # signed in (the lifecycle will see it) or needs a new onboarding

    def _write(self, batch: BulkBatch, run_by: datetime, entries: dict[str, DeviceEntry], now: datetime,
               summary: SignInSummary) -> None:
        mode = "api" if self._bulk is not None else "assisted"
        stored: BatchEntry | None = None
        for n in range(1, 100):
            reference = f"{batch.region.value.lower()}-{now:%Y%m%d-%H%M}-{n:02d}"
            stored = self._book.add_batch(BatchEntry(reference, batch.region, batch.items, mode, PLANNED, now))
            if stored is not None:
                break
        if stored is None:
            summary.errors.append(f"No free batch reference for {batch.region.value} this minute; retried next pass.")
            return
        for item in batch.items:
            entry = replace(entries[item.hardware_id], batch=stored.reference)
            entries[item.hardware_id] = self._book.save_device(entry)
        checklist = [*CHECKLIST, f"Run it before {run_by:%Y-%m-%d %H:%M} UTC (72 h after onboarding, 168 h after a "
                                  "sign-out); later the gateway answers 'Bulk Sign-in deadline expired'."]
        folder = f"{ARTIFACT_ROOT}/{stored.reference}"
        self._artifacts.put(f"{folder}/{stored.reference}.csv", device_csv(batch).encode(), "text/csv")
        script = powershell_script(batch, stored.reference, f"{stored.reference}.csv", checklist)
        where = self._artifacts.put(f"{folder}/{stored.reference}.ps1", script.encode(), "text/plain")
        self._artifacts.put(f"{folder}/checklist.txt", "\n".join(f"[ ] {c}" for c in checklist).encode(), "text/plain")
        summary.batches_written += 1
        summary.written.append(where)
        if self._bulk is None:
            self._book.update_batch(stored, state=WRITTEN)
        else:
            self._submit(stored, entries, now, summary)

    def _submit(self, batch: BatchEntry, entries: dict[str, DeviceEntry], now: datetime,
                summary: SignInSummary) -> None:
        assert self._bulk is not None
        try:
            batch_id = self._bulk.submit(batch.region, batch.items, batch.reference)
        except BatchRefusedError as exc:
            self._book.update_batch(batch, state=REFUSED, completed_at=now)
            for item in batch.items:
                entries[item.hardware_id] = self._book.save_device(replace(entries[item.hardware_id], batch=""))
            summary.errors.append(f"Batch {batch.reference} was refused and goes back to the pool: {exc}")
            return
        except TeamsSipError as exc:  # answer lost: stays PLANNED, resent with the same reference next pass
            summary.errors.append(f"Batch {batch.reference} not confirmed as submitted: {exc}")
            return
        self._book.update_batch(batch, state=SUBMITTED, batch_id=batch_id)
        summary.batches_submitted += 1

    # --- batches in flight ---------------------------------------------------------------------
    def _follow(self, batch: BatchEntry, entries: dict[str, DeviceEntry], now: datetime,
                summary: SignInSummary) -> None:
        if batch.mode == "api" and self._bulk is not None:
            if batch.state == PLANNED:
                self._submit(batch, entries, now, summary)
                return
            try:
                status = self._bulk.status(batch.batch_id)
            except TeamsSipError as exc:
                summary.errors.append(f"Status of batch {batch.reference} unknown; asked again next pass: {exc}")
                return
            if status is None:
                summary.errors.append(f"The bulk sign-in service does not know batch {batch.reference} "
                                      f"({batch.batch_id}); it stays in flight until its result is known.")
            elif status.completed:
                self._apply(batch, status.items, entries, now, summary)
            return
        for path in self._artifacts.list(f"{ARTIFACT_ROOT}/{batch.reference}/"):
            if path.endswith("-result.csv"):
                data = self._artifacts.get(path) or b""
                try:
                    result = parse_result_file(data)
                    if result.reference not in (None, batch.reference):
                        raise ResultFileError(f"it belongs to batch {result.reference}")
                except ResultFileError as exc:
                    summary.errors.append(f"Result file {path} not read: {exc}.")
                    continue
                self._apply(batch, result.items, entries, now, summary)
                return
        if not batch.lost_reported and now - batch.written_at >= self._options.result_file_timeout:
            self._book.update_batch(batch, lost_reported=True)
            for item in batch.items:
                summary.needs_person.append(NeedsPerson(item.hardware_id, item.username, (
                    f"No result for bulk sign-in batch {batch.reference} after {self._options.result_file_timeout}. "
                    f"Run {ARTIFACT_ROOT}/{batch.reference}/{batch.reference}.ps1 and upload its result file; "
                    "the devices are not batched again until the result is known.")))

    def _match(self, reference: str | None, batch_id: str | None, items: Sequence[ResultItem]) -> BatchEntry:
        batches = list(self._book.batches())
        found = [b for b in batches if b.reference == reference] if reference else []
        if not reference and batch_id:
            found = [b for b in batches if b.batch_id == batch_id]
        if not reference and not found:  # a file exported by hand: the one batch in flight with its accounts
            users = {i.username for i in items}
            found = [b for b in batches if b.state in IN_FLIGHT and users <= {i.username for i in b.items}]
        if len(found) != 1:
            raise InputError("Bulk sign-in result file refused: it matches no batch teams-sip wrote (check its "
                             "Reference column, or upload the file written by the batch's script).")
        return found[0]

    def _apply(self, batch: BatchEntry, results: Sequence[ResultItem], entries: dict[str, DeviceEntry],
               now: datetime, summary: SignInSummary) -> None:
        """All of a batch's results, or none: unknown devices or unfinished items leave it in flight."""
        by_hw = {i.hardware_id: i for i in batch.items}
        by_user = Counter(i.username for i in batch.items)
        matched: dict[str, ResultItem] = {}
        for result in results:
            hw = result.hardware_id if result.hardware_id in by_hw else None
            if hw is None and by_user[result.username] == 1:
                hw = next(i.hardware_id for i in batch.items if i.username == result.username)
            if hw is None:
                summary.errors.append(f"Result for batch {batch.reference} names a device or account not in it "
                                      f"({result.username}); nothing was applied.")
                return
            if not result.error and result.status.casefold() in _NOT_FINAL:
                summary.errors.append(f"Batch {batch.reference} has not completed yet; its results wait.")
                return
            matched[hw] = result
        try:
            self._book.update_batch(batch, state=COMPLETED, completed_at=now)
        except ConflictError:
            return  # another pass applied it first
        summary.batches_completed += 1
        for item in batch.items:
            entry = replace(entries.get(item.hardware_id) or DeviceEntry(item.hardware_id, ""), batch="")
            found = matched.get(item.hardware_id)
            if found is None:
                self._settle(entry, None, Outcome.RETRY, "no result for this device", "", now, entries, summary)
            else:
                self._settle(entry, None, found.meaning.outcome, found.meaning.remedy, found.error, now, entries,
                             summary, upn=item.username)

    def _settle(self, entry: DeviceEntry, record: DeviceRecord | None, outcome: Outcome, remedy: str, error: str,
                now: datetime, entries: dict[str, DeviceEntry], summary: SignInSummary, upn: str = "") -> None:
        entries[entry.hardware_id] = self._book.save_device(
            replace(entry, batch="", outcome=outcome.value, remedy=remedy, error=error, outcome_at=now.isoformat())
        )
        summary.outcomes[outcome.value] += 1
        if outcome in _PERSON_OUTCOMES:
            who = upn or (record.upn if record else "")
            reason = f"{error}: {remedy}" if error and error != "window closed" else remedy
            summary.needs_person.append(NeedsPerson(entry.hardware_id, who, reason))

    # --- bookkeeping ----------------------------------------------------------------------------
    def _current_entries(self, waiting: list[DeviceRecord]) -> dict[str, DeviceEntry]:
        """Each waiting device's entry for its current episode (a new sign-out starts afresh),
        plus the stored entries of devices no longer waiting (a batch may still name them)."""
        stored = self._book.devices()
        for record in waiting:
            times = waiting_since(record)
            episode = "" if times is None else times[0].isoformat()
            entry = stored.get(record.hardware_id)
            if entry is None or entry.episode != episode:
                keep = entry.batch if entry is not None else ""
                stored[record.hardware_id] = DeviceEntry(record.hardware_id, episode, batch=keep)
        return stored
