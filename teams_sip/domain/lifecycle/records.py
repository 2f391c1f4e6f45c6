"""The stored record of one handset: who and where it is for, where it is in its lifecycle,
the latest code's expiry and fingerprint (never the code), an intent left before a provisioning
call (for crash safety), and the append-only history of its transitions.

Records know nothing about storage: `to_dict`/`from_dict` give JSON-safe dicts any store can keep,
with the store adding its own version or ETag alongside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from teams_sip.domain.lifecycle.evidence import Evidence, evidence_from_list
from teams_sip.domain.lifecycle.inputs import RosterEntry, Verdict
from teams_sip.domain.lifecycle.states import DeviceState, Transition
from teams_sip.domain.sites import Region
from teams_sip.errors import InputError

FORMAT_VERSION = 1
_E = TypeVar("_E", bound=StrEnum)
_V = TypeVar("_V")


class IntentKind(StrEnum):
    """Provisioning calls that change Teams; each is recorded as intended before it is made."""

    REGISTER = "register"
    ISSUE_CODE = "issue_code"
    RELEASE = "release"


class Attention(StrEnum):
    """Why a device needs a person. Stored so each reason is announced once, not every pass."""

    BLOCKED = "blocked"
    NEEDS_ATTENTION = "needs_attention"
    UNKNOWN_SITE = "unknown_site"
    WINDOW_CLOSED = "window_closed"
    RENEWALS_EXHAUSTED = "renewals_exhausted"
    STALE = "stale"
    UNKNOWN_IN_TEAMS = "unknown_in_teams"
    REMOVED_BUT_ACTIVE = "removed_but_active"


@dataclass(frozen=True, slots=True)
class PendingIntent:
    kind: IntentKind
    at: datetime  # when first intended: a repeated intent of the same kind keeps it (outcomes.intend)
    cause: str


@dataclass(frozen=True, slots=True)  # slots: a pass holds every record, 100,000 of them at scale
class DeviceRecord:
    hardware_id: str
    kind: str
    upn: str
    display_name: str
    account_type: str
    site: str
    install_date: date | None
    region: Region | None
    verdict: Verdict | None
    state: DeviceState
    code_fingerprint: str | None = None
    code_expires_at: datetime | None = None
    codes_issued: int = 0  # codes issued for the current install date (first code plus renewals)
    pending: PendingIntent | None = None
    attention: Attention | None = None
    history: tuple[Transition, ...] = ()
    # The first listing of the SIP device inventory that no longer showed an activated handset
    # (assisted mode); None while it is listed. Stale counts from here (offboarding.py).
    missing_since: datetime | None = None
    # What each inventory source last said about the handset (evidence.py); shown on the admin page.
    evidence: tuple[Evidence, ...] = ()

    def code_is_live(self, now: datetime) -> bool:
        return self.code_expires_at is not None and now < self.code_expires_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "hardware_id": self.hardware_id,
            "kind": self.kind,
            "upn": self.upn,
            "display_name": self.display_name,
            "account_type": self.account_type,
            "site": self.site,
            "install_date": None if self.install_date is None else self.install_date.isoformat(),
            "region": None if self.region is None else self.region.value,
            "verdict": None if self.verdict is None else self.verdict.value,
            "state": self.state.value,
            "code_fingerprint": self.code_fingerprint,
            "code_expires_at": _time_out(self.code_expires_at),
            "codes_issued": self.codes_issued,
            "pending": None
            if self.pending is None
            else {"kind": self.pending.kind.value, "at": self.pending.at.isoformat(), "cause": self.pending.cause},
            "attention": None if self.attention is None else self.attention.value,
            "history": [step.to_dict() for step in self.history],
        } | ({} if self.missing_since is None else {"missing_since": self.missing_since.isoformat()}) | (
            {"evidence": [e.to_dict() for e in self.evidence]} if self.evidence else {})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeviceRecord:
        """Reads what `to_dict` wrote; raises RecordFormatError (naming the field) for anything else.

        A pass reads every stored record, so well-formed data takes a fast path (`_read_fast`) that
        checks only exact types and shares repeated history lines; anything it does not accept goes
        through the full reader, which either reads it the same way or names the damaged field."""
        try:
            return _read_fast(data)
        except _NOT_FAST:
            return _read_checked(data)


def _read_checked(data: Mapping[str, Any]) -> DeviceRecord:
    """The full reader: every field checked in turn, the first damaged one named."""
    hid = data.get("hardware_id") if isinstance(data, Mapping) else None
    reader = _Reader(data, hid if isinstance(hid, str) else "?")
    if reader.get("format", int) != FORMAT_VERSION:
        reader.fail("format", f"expected format {FORMAT_VERSION}")
    pending_raw = reader.opt("pending", dict)
    pending = None
    if pending_raw is not None:
        sub = _Reader(pending_raw, reader.hid, "pending.")
        pending = PendingIntent(sub.enum("kind", IntentKind), sub.time("at"), sub.get("cause", str))
    history_raw = reader.get("history", list)
    history = []
    for i, item in enumerate(history_raw):
        sub = _Reader(item, reader.hid, f"history[{i}].")
        from_raw = sub.opt("from", str)
        history.append(
            Transition(
                at=sub.time("at"),
                from_state=None if from_raw is None else sub.enum("from", DeviceState),
                to_state=sub.enum("to", DeviceState),
                cause=sub.get("cause", str),
            )
        )
    codes_issued = reader.get("codes_issued", int)
    if codes_issued < 0:
        reader.fail("codes_issued", "must not be negative")
    install_raw = reader.opt("install_date", str)
    try:
        install_date = None if install_raw is None else date.fromisoformat(install_raw)
    except ValueError:
        reader.fail("install_date", "not an ISO date")
    expires_raw = reader.opt("code_expires_at", str)
    missing_raw = reader.opt("missing_since", str)
    return DeviceRecord(
        hardware_id=reader.get("hardware_id", str),
        kind=reader.get("kind", str),
        upn=reader.get("upn", str),
        display_name=reader.get("display_name", str),
        account_type=reader.get("account_type", str),
        site=reader.get("site", str),
        install_date=install_date,
        region=None if reader.opt("region", str) is None else reader.enum("region", Region),
        verdict=None if reader.opt("verdict", str) is None else reader.enum("verdict", Verdict),
        state=reader.enum("state", DeviceState),
        code_fingerprint=reader.opt("code_fingerprint", str),
        code_expires_at=None if expires_raw is None else reader.time("code_expires_at"),
        codes_issued=codes_issued,
        pending=pending,
        attention=None if reader.opt("attention", str) is None else reader.enum("attention", Attention),
        history=tuple(history),
        missing_since=None if missing_raw is None else reader.time("missing_since"),
        evidence=_evidence_checked(reader, data),
    )


def _evidence_checked(reader: _Reader, data: Mapping[str, Any]) -> tuple[Evidence, ...]:
    try:
        return evidence_from_list(data.get("evidence"))
    except (KeyError, TypeError, ValueError):
        return reader.fail("evidence", "is not a list of source statements")  # type: ignore[no-any-return]


def new_record(entry: RosterEntry, region: Region | None, at: datetime) -> DeviceRecord:
    """A record for a handset the roster names for the first time."""
    return DeviceRecord(
        hardware_id=entry.hardware_id,
        kind=entry.kind,
        upn=entry.upn,
        display_name=entry.display_name,
        account_type=entry.account_type,
        site=entry.site,
        install_date=entry.install_date,
        region=region,
        verdict=entry.verdict,
        state=DeviceState.IMPORTED,
        history=(Transition(at, None, DeviceState.IMPORTED, "named in the roster"),),
    )


def unknown_record(hardware_id: str, signed_in_user: str | None, at: datetime) -> DeviceRecord:
    """A record for a device Teams reports that no roster names, so it is tracked and reported."""
    return DeviceRecord(
        hardware_id=hardware_id,
        kind="unknown",
        upn=signed_in_user or "",
        display_name="",
        account_type="",
        site="",
        install_date=None,
        region=None,
        verdict=None,
        state=DeviceState.UNKNOWN_IN_TEAMS,
        history=(Transition(at, None, DeviceState.UNKNOWN_IN_TEAMS, "reported by Teams, named by no roster"),),
    )


class RecordFormatError(InputError):
    """A stored record cannot be read; the message names the device and the field."""


def _time_out(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


class _Reader:
    def __init__(self, data: Any, hid: str, prefix: str = "") -> None:
        if not isinstance(data, Mapping):
            raise RecordFormatError(f"Stored record for device {hid}: {prefix or 'record'} is not an object.")
        self.data = data
        self.hid = hid
        self.prefix = prefix

    def fail(self, key: str, why: str) -> Any:
        raise RecordFormatError(
            f"Stored record for device {self.hid}: field '{self.prefix}{key}' {why}. "
            "Restore the record from a backup or delete it so the next run rebuilds it from the roster."
        )

    def get(self, key: str, kind: type[Any]) -> Any:
        if key not in self.data:
            self.fail(key, "is missing")
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(key, f"should be {kind.__name__}")
        return value

    def opt(self, key: str, kind: type[Any]) -> Any:
        return None if self.data.get(key) is None else self.get(key, kind)

    def enum(self, key: str, kind: type[_E]) -> _E:
        raw = self.get(key, str)
        try:
            return kind(raw)
        except ValueError:
            return self.fail(key, f"has an unknown value {raw!r}")  # type: ignore[no-any-return]

    def time(self, key: str) -> datetime:
        raw = self.get(key, str)
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            self.fail(key, "is not an ISO-8601 time")
        if value.tzinfo is None:
            self.fail(key, "has no time zone")
        return value


# --- The fast path --------------------------------------------------------------------------------
# Exact-type checks only (a str subclass, a tuple for a list, a bool for an int: all left to the full
# reader, which decides). Parsed values are immutable, so equal inputs can share one object: an estate's
# history lines repeat (a pass moves many devices at the same moment for the same cause), and sharing
# them keeps 100,000 records in a fraction of the memory. The caches are bounded and simply start over
# when full, so a long-running worker never grows without limit.

_NOT_FAST = (KeyError, TypeError, ValueError, AttributeError)
_CACHE_LIMIT = 1 << 14  # per cache; a full cache starts over, costing only some sharing
_STATES: dict[str, DeviceState] = {s.value: s for s in DeviceState}
_REGIONS: dict[str, Region] = {r.value: r for r in Region}
_VERDICTS: dict[str, Verdict] = {v.value: v for v in Verdict}
_ATTENTION: dict[str, Attention] = {a.value: a for a in Attention}
_INTENTS: dict[str, IntentKind] = {k.value: k for k in IntentKind}
_times: dict[str, datetime] = {}
_dates: dict[str, date] = {}
_lines: dict[tuple[object, ...], Transition] = {}
_words: dict[str, str] = {}


def _read_fast(data: Mapping[str, Any]) -> DeviceRecord:
    """`to_dict`'s own output, read without the full reader; raises one of _NOT_FAST for anything else."""
    if type(data["format"]) is not int or data["format"] != FORMAT_VERSION:
        raise ValueError("format")
    codes_issued = data["codes_issued"]
    if type(codes_issued) is not int or codes_issued < 0:
        raise ValueError("codes_issued")
    history = data["history"]
    if type(history) is not list:
        raise TypeError("history")
    pending_raw = data.get("pending")
    pending = None
    if pending_raw is not None:
        if type(pending_raw) is not dict:
            raise TypeError("pending")
        pending = PendingIntent(_INTENTS[pending_raw["kind"]], _time(pending_raw["at"]), _text(pending_raw["cause"]))
    install_raw, expires_raw = data.get("install_date"), data.get("code_expires_at")
    region, verdict, attention = data.get("region"), data.get("verdict"), data.get("attention")
    missing_raw = data.get("missing_since")
    return DeviceRecord(
        hardware_id=_text(data["hardware_id"]),
        kind=_word(data["kind"]),
        upn=_text(data["upn"]),
        display_name=_text(data["display_name"]),
        account_type=_word(data["account_type"]),
        site=_word(data["site"]),
        install_date=None if install_raw is None else _date(install_raw),
        region=None if region is None else _REGIONS[region],
        verdict=None if verdict is None else _VERDICTS[verdict],
        state=_STATES[data["state"]],
        code_fingerprint=None if data.get("code_fingerprint") is None else _text(data["code_fingerprint"]),
        code_expires_at=None if expires_raw is None else _time(expires_raw),
        codes_issued=codes_issued,
        pending=pending,
        attention=None if attention is None else _ATTENTION[attention],
        history=tuple([_line(item) for item in history]),
        missing_since=None if missing_raw is None else _time(missing_raw),
        evidence=evidence_from_list(data.get("evidence")),
    )


def _text(value: object) -> str:
    if type(value) is not str:
        raise TypeError("not text")
    return value


def _word(value: object) -> str:
    """A value many records repeat (site, kind, account type, a history line's cause): one string each."""
    text = _text(value)
    shared = _words.get(text)
    if shared is None:
        shared = _remember(_words, text, text)
    return shared


def _time(value: object) -> datetime:
    parsed = _times.get(_text(value))
    if parsed is None:
        parsed = datetime.fromisoformat(_text(value))
        if parsed.tzinfo is None:
            raise ValueError("no time zone")
        _remember(_times, _text(value), parsed)
    return parsed


def _date(value: object) -> date:
    parsed = _dates.get(_text(value))
    if parsed is None:
        parsed = _remember(_dates, _text(value), date.fromisoformat(_text(value)))
    return parsed


def _line(item: Mapping[str, Any]) -> Transition:
    """One history line; equal lines (same time, states and cause) share one Transition."""
    from_raw = item.get("from")
    key = (item["at"], from_raw, item["to"], item["cause"])
    line = _lines.get(key)
    if line is None:
        line = Transition(_time(key[0]), None if from_raw is None else _STATES[from_raw], _STATES[key[2]],
                          _word(key[3]))
        # Keyed by the shared objects (a StrEnum member equals and hashes as its value), not the raw strings.
        _remember(_lines, (key[0], line.from_state, line.to_state, line.cause), line)
    return line


def _remember(cache: dict[Any, _V], key: object, value: _V) -> _V:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value
