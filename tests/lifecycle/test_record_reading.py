"""Reading stored records fast (a pass reads 100,000 of them) must not read them differently: whatever
the fast path accepts, the full reader accepts the same way, and damaged data is refused with the same
message; equal history lines are shared, and the sharing caches stay bounded."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams_sip.domain.lifecycle import records
from teams_sip.domain.lifecycle.outcomes import intend
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord, IntentKind, RecordFormatError, new_record
from teams_sip.domain.lifecycle.states import DeviceState, Transition, transition
from teams_sip.domain.sites import Region

from .support import entry, utc


class Text(str):
    """A str subclass: the fast path leaves it to the full reader, which accepts it."""


def _stored(hid: str = "0003717C0E0A", upn: str = "ana@contoso.example") -> dict[str, Any]:
    record = new_record(entry(hid=hid, upn=upn), Region.EMEA, utc(2026, 5, 1))
    record = transition(record, DeviceState.READY, utc(2026, 5, 1, 1), "the user is eligible")
    record = intend(replace(record, attention=Attention.WINDOW_CLOSED), IntentKind.REGISTER, utc(2026, 5, 2), "go")
    data: dict[str, Any] = json.loads(json.dumps(record.to_dict()))
    return data


def _outcome(read: Any, data: Any) -> tuple[str, Any]:
    try:
        return "read", read(data)
    except RecordFormatError as exc:
        return "refused", str(exc)


ODD_VALUES = st.sampled_from([
    None, True, False, 0, 1, -1, 2.0, "", "x", [], {}, (), Text("Berlin"), Text("2026-05-01T00:00:00+00:00"),
    "imported", "ready", "EMEA", "eligible", "register", "window_closed", "2026-05-01", "20260501",
    "2026-05-01T00:00:00", "2026-05-01T00:00:00+02:00", ["imported"], {"kind": "register"},
])
TOP_FIELDS = st.sampled_from([*sorted(_stored()), "unknown_extra"])
LINE_FIELDS = st.sampled_from(["at", "from", "to", "cause", "extra"])
PENDING_FIELDS = st.sampled_from(["kind", "at", "cause", "extra"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    where=st.sampled_from(["top", "line", "pending"]),
    top=TOP_FIELDS, line=LINE_FIELDS, pending=PENDING_FIELDS, value=ODD_VALUES, delete=st.booleans(),
)
def test_the_fast_path_reads_exactly_as_the_full_reader(where: str, top: str, line: str, pending: str, value: Any,
                                                         delete: bool) -> None:
    data = _stored()
    places = {"top": (data, top), "line": (data["history"][-1], line), "pending": (data["pending"], pending)}
    target, key = places[where]
    if delete:
        target.pop(key, None)
    else:
        target[key] = value
    assert _outcome(DeviceRecord.from_dict, data) == _outcome(records._read_checked, data)


def test_well_formed_records_take_the_fast_path_and_round_trip() -> None:
    data = _stored()
    assert records._read_fast(data) == records._read_checked(data) == DeviceRecord.from_dict(data)
    assert DeviceRecord.from_dict(data).to_dict() == data


@pytest.mark.parametrize("damage", [
    lambda d: d.update(codes_issued=True),
    lambda d: d.update(history=tuple(d["history"])),
    lambda d: d.update(site=Text("Berlin")),
    lambda d: d.update(pending=Text("x")),
])
def test_values_the_fast_path_does_not_trust_go_to_the_full_reader(damage: Any) -> None:
    data = _stored()
    damage(data)
    with pytest.raises(records._NOT_FAST):
        records._read_fast(data)
    assert _outcome(DeviceRecord.from_dict, data) == _outcome(records._read_checked, data)


def test_a_damaged_history_line_is_refused_even_after_a_good_one_was_shared() -> None:
    good = _stored()
    DeviceRecord.from_dict(good)
    bad = _stored()
    bad["history"][0]["to"] = "flying"
    with pytest.raises(RecordFormatError) as caught:
        DeviceRecord.from_dict(bad)
    assert "history[0].to" in str(caught.value)


def test_equal_history_lines_and_repeated_words_are_shared_between_records() -> None:
    first = DeviceRecord.from_dict(_stored("0003717C0E0A", "ana@contoso.example"))
    second = DeviceRecord.from_dict(_stored("0004D5F98000", "bo@contoso.example"))
    assert first.history == second.history and all(a is b for a, b in zip(first.history, second.history, strict=True))
    assert first.site is second.site and first.pending is not None and second.pending is not None
    assert first.pending.at is second.pending.at
    assert first.hardware_id != second.hardware_id and first.upn != second.upn


def test_sharing_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "_CACHE_LIMIT", 50)
    data = _stored()
    start = utc(2026, 1, 1)
    data["history"] = [
        Transition(start.replace(minute=n % 60, hour=n // 60), None, DeviceState.IMPORTED, f"line {n}").to_dict()
        for n in range(500)
    ]
    read = DeviceRecord.from_dict(data)
    assert len(read.history) == 500 and read.history[499].cause == "line 499"
    assert read == records._read_checked(data)
    assert len(records._lines) <= 50 and len(records._times) <= 50 and len(records._words) <= 50
