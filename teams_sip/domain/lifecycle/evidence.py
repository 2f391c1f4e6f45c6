"""What each inventory source said about a handset, and which of it the lifecycle follows.

Assisted mode has no provisioning API, and the one listing that showed sign-ins (Graph beta teamwork
devices) is being retired, so a handset's state is pieced together from several sources: that
listing while it answers, Entra sign-in logs, bulk sign-in results, the admin's export of the Teams
admin center's SIP device list, and a technician's word. Each says something ("activated",
"signed in", "a sign-in failed") at a time. The rules (docs/lifecycle.md, "Several sources"):

- A record keeps, per source and kind of statement, the newest one (`merge`).
- The newest statement of a state wins (`winner`); on a tie Teams beats a person, and a person's
  mark never overrides a later statement from Teams (it is simply older).
- A statement counts only when it is newer than the record's last state change that evidence (or a
  reset) caused (`anchor`): re-reading old evidence never moves a handset twice, and nothing from
  before a re-onboarding or a stale verdict brings the old state back. A sign-in log entry counts
  only once a code was issued for the handset (a user can sign in to a SIP device only after its
  activation).
- A failed sign-in is a reason to show, not a state.
- The last contact (for the 30/14-day off-boarding rules) is the newest statement of a state from
  any source (`last_contact`).
- The admin's export is a complete listing as of its export time: a handset it no longer shows is
  "unlisted" then (`unlisted_since`), which counts only when newer than every other word on it.

No new lifecycle states: sources only supply evidence for transitions the table already has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState
from teams_sip.domain.lifecycle.states import ACTIVE, DeviceState
from teams_sip.domain.roster import AccountType

if TYPE_CHECKING:
    from teams_sip.domain.lifecycle.records import DeviceRecord

REFRESH = timedelta(days=1)  # a statement repeated unchanged is re-stamped at most this often


class Source(StrEnum):
    TEAMWORK_DEVICES = "teamwork_devices"
    SIGNIN_LOGS = "signin_logs"
    BULK_SIGNIN = "bulk_signin"
    ADMIN_EXPORT = "admin_export"
    TECHNICIAN = "technician"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def from_teams(self) -> bool:
        """Microsoft's own systems said it; a technician's mark is a person's word."""
        return self != Source.TECHNICIAN


_LABELS = {Source.TEAMWORK_DEVICES: "teamwork devices", Source.SIGNIN_LOGS: "sign-in logs",
           Source.BULK_SIGNIN: "bulk sign-in results", Source.ADMIN_EXPORT: "admin center export",
           Source.TECHNICIAN: "technician"}


class Said(StrEnum):
    ACTIVATED = "activated"  # code dialled, or signed out: Teams waits for a sign-in
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"  # a reason to show, no state
    UNLISTED = "unlisted"  # absent from a complete listing (the admin's export): no state, starts the clock


_STATE_OF = {Said.ACTIVATED: ObservedState.WAITING_FOR_SIGN_IN, Said.SIGNED_IN: ObservedState.SIGNED_IN}
# Steps after which older evidence says nothing: evidence moved the handset, or it started over.
_RESETS = frozenset({DeviceState.IMPORTED, DeviceState.READY, DeviceState.STALE,
                     DeviceState.REMOVED_FROM_ROSTER, DeviceState.UNKNOWN_IN_TEAMS})
_CODE_STEPS = frozenset({DeviceState.CODE_ISSUED, DeviceState.ACTIVATED, DeviceState.SIGNED_IN})


@dataclass(frozen=True, slots=True)
class Evidence:
    """One statement of one source about one handset, kept on the handset's record."""

    source: Source
    said: Said
    at: datetime
    user: str | None = None
    detail: str = ""

    @property
    def key(self) -> tuple[Source, Said]:
        return self.source, self.said

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"source": self.source.value, "said": self.said.value, "at": self.at.isoformat()}
        if self.user:
            body["user"] = self.user
        if self.detail:
            body["detail"] = self.detail
        return body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        """Raises KeyError/ValueError/TypeError for anything `to_dict` did not write."""
        at = datetime.fromisoformat(str(data["at"]))
        if at.tzinfo is None:
            raise ValueError("evidence time without a time zone")
        user, detail = data.get("user"), data.get("detail", "")
        if (user is not None and not isinstance(user, str)) or not isinstance(detail, str):
            raise TypeError("evidence user/detail")
        return cls(Source(data["source"]), Said(data["said"]), at, user, detail)


def evidence_from_list(raw: object) -> tuple[Evidence, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise TypeError("evidence")
    return tuple(Evidence.from_dict(item) for item in raw)


def merge(kept: Sequence[Evidence], new: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """`kept` with each new statement in place of the older one of its source and kind. Returns
    `kept` itself (the same object) when nothing changed, so a quiet pass writes nothing; a statement
    repeated unchanged replaces the old one only once it is REFRESH old."""
    by_key = {e.key: e for e in kept}
    changed = False
    for item in new:
        old = by_key.get(item.key)
        if old is not None and item.at <= old.at:
            continue
        if old is not None and (old.user, old.detail) == (item.user, item.detail) and item.at - old.at < REFRESH:
            continue
        by_key[item.key], changed = item, True
    if not changed:
        return tuple(kept)
    return tuple(sorted(by_key.values(), key=lambda e: (e.at, e.source.value, e.said.value)))


def anchor(record: DeviceRecord) -> datetime | None:
    """The record's last state change that evidence or a reset caused; evidence must be newer."""
    for step in reversed(record.history):
        reset = step.to_state in _RESETS or (step.to_state == DeviceState.REGISTERED and step.from_state in ACTIVE)
        if reset or step.to_state in ACTIVE:
            return step.at
    return None


def _first_code(record: DeviceRecord) -> datetime | None:
    """When the first code of the record's current onboarding was issued (or it activated)."""
    first = None
    for step in reversed(record.history):
        if step.to_state in _RESETS:
            break
        if step.to_state in _CODE_STEPS:
            first = step.at
    return first


def counts(item: Evidence, record: DeviceRecord) -> bool:
    """Whether `item` may move `record` now (see the module's rules)."""
    since = anchor(record)
    if since is not None and item.at <= since:
        return False
    if item.source == Source.SIGNIN_LOGS:
        code = _first_code(record)
        return code is not None and item.at >= code
    return True


def winner(entries: Sequence[Evidence], record: DeviceRecord) -> Evidence | None:
    """The newest statement of a state that still counts; None when none counts or it says what
    the record already is."""
    best: Evidence | None = None
    for item in entries:
        if item.said not in _STATE_OF or not counts(item, record):
            continue
        if best is None or (item.at, item.source.from_teams) > (best.at, best.source.from_teams):
            best = item
    if best is None:
        return None
    same = record.state in ACTIVE and (record.state == DeviceState.SIGNED_IN) == (best.said == Said.SIGNED_IN)
    return None if same else best


def as_observed(item: Evidence, hardware_id: str) -> ObservedDevice:
    return ObservedDevice(hardware_id, _STATE_OF[item.said], item.user, item.at)


def last_contact(entries: Iterable[Evidence]) -> datetime | None:
    """The newest statement of a state from any source (failed sign-ins are no contact)."""
    return max((e.at for e in entries if e.said in _STATE_OF), default=None)


def unlisted_since(entries: Iterable[Evidence], record: DeviceRecord) -> datetime | None:
    """When the newest complete export no longer showed the handset; None when no export's silence
    counts: one older than the handset's newest word (any source) or its last state change says nothing."""
    kept = tuple(entries)
    at = max((e.at for e in kept if e.said == Said.UNLISTED), default=None)
    if at is None:
        return None
    since, contact = anchor(record), last_contact(kept)
    if (since is not None and at <= since) or (contact is not None and at <= contact):
        return None
    return at


def failures(entries: Iterable[Evidence]) -> list[Evidence]:
    return [e for e in entries if e.said == Said.SIGN_IN_FAILED]


@dataclass(frozen=True)
class Statement:
    """An observation before it is matched to a handset: by hardware id, or (sign-in logs) by the
    account that signed in."""

    evidence: Evidence
    hardware_id: str | None = None
    upn: str | None = None


def attribute(statements: Iterable[Statement], records: Mapping[str, DeviceRecord]
              ) -> tuple[dict[str, list[Evidence]], list[Statement]]:
    """Each statement under the handset it is about, and the statements matched to none. A sign-in
    by account goes to that user's one personal handset that has a code issued or is active; a user
    with none or several such handsets cannot be matched (which one signed in is not in the log)."""
    by_upn: dict[str, list[str]] = {}
    for hid, rec in records.items():
        if rec.account_type != AccountType.COMMON_AREA and _first_code(rec) is not None:
            by_upn.setdefault(rec.upn.casefold(), []).append(hid)
    matched: dict[str, list[Evidence]] = {}
    unmatched: list[Statement] = []
    for item in statements:
        target = item.hardware_id
        if target is None and item.upn:
            candidates = by_upn.get(item.upn.casefold(), [])
            target = candidates[0] if len(candidates) == 1 else None
        if target is None or target not in records:
            unmatched.append(item)
            continue
        matched.setdefault(target, []).append(item.evidence)
    return matched, unmatched
