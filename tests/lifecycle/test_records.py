"""Records survive any store as JSON, refuse damaged data clearly, and never carry a code."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from teams_sip.domain.lifecycle.outcomes import intend, settle_code, settle_failed, settle_registered
from teams_sip.domain.lifecycle.records import (
    Attention,
    DeviceRecord,
    IntentKind,
    RecordFormatError,
    new_record,
    unknown_record,
)
from teams_sip.domain.lifecycle.states import DeviceState, IllegalTransitionError, transition
from teams_sip.domain.secrets import Secret
from teams_sip.domain.sites import Region

from .support import FINGERPRINT_KEY, entry, utc

CODE = Secret("483920")


def _issued() -> DeviceRecord:
    record = new_record(entry(), Region.EMEA, utc(2026, 5, 1))
    record = transition(record, DeviceState.READY, utc(2026, 5, 1), "eligible")
    record = settle_registered(intend(record, IntentKind.REGISTER, utc(2026, 5, 1), "eligible"), utc(2026, 5, 1))
    record = intend(record, IntentKind.ISSUE_CODE, utc(2026, 5, 5, 5), "window open")
    return settle_code(record, CODE, utc(2026, 5, 6, 5), utc(2026, 5, 5, 5), fingerprint_key=FINGERPRINT_KEY)


def test_round_trip_through_json_keeps_everything() -> None:
    record = replace(_issued(), attention=Attention.WINDOW_CLOSED)
    pending = intend(record, IntentKind.RELEASE, utc(2026, 5, 7), "removed")
    for item in (record, pending, unknown_record("00000000ABCD", None, utc(2026, 5, 1))):
        text = json.dumps(item.to_dict())
        assert DeviceRecord.from_dict(json.loads(text)) == item


def test_the_code_itself_is_never_stored_only_its_fingerprint() -> None:
    record = _issued()
    text = json.dumps(record.to_dict()) + repr(record)
    assert "483920" not in text
    assert record.code_fingerprint == CODE.fingerprint(FINGERPRINT_KEY)
    assert record.codes_issued == 1 and record.pending is None
    assert record.code_is_live(utc(2026, 5, 6, 4, 59)) and not record.code_is_live(utc(2026, 5, 6, 5))


def test_a_second_code_while_one_is_live_is_refused() -> None:
    record = intend(_issued(), IntentKind.ISSUE_CODE, utc(2026, 5, 5, 6), "again")
    with pytest.raises(IllegalTransitionError) as caught:
        settle_code(record, Secret("111111"), utc(2026, 5, 6, 6), utc(2026, 5, 5, 6), fingerprint_key=FINGERPRINT_KEY)
    assert "111111" not in str(caught.value)


def test_settle_failed_drops_the_intent_only() -> None:
    record = intend(_issued(), IntentKind.ISSUE_CODE, utc(2026, 5, 6, 6), "renew")
    assert settle_failed(record) == _issued()


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        (lambda d: d.pop("state"), "'state' is missing"),
        (lambda d: d.update(state="flying"), "'state' has an unknown value"),
        (lambda d: d.update(codes_issued="2"), "'codes_issued' should be int"),
        (lambda d: d.update(codes_issued=True), "'codes_issued' should be int"),
        (lambda d: d.update(codes_issued=-1), "'codes_issued' must not be negative"),
        (lambda d: d.update(install_date="5/5/2026"), "'install_date' not an ISO date"),
        (lambda d: d.update(code_expires_at="2026-05-06T05:00:00"), "'code_expires_at' has no time zone"),
        (lambda d: d.update(code_expires_at="tomorrow"), "'code_expires_at' is not an ISO-8601 time"),
        (lambda d: d.update(format=2), "'format'"),
        (lambda d: d.update(history="none"), "'history' should be list"),
        (lambda d: d["history"].append({"at": "2026-05-01T00:00:00+00:00", "to": "x", "cause": "?"}), "history[4].to"),
        (
            lambda d: d.update(pending={"kind": "launch", "at": "2026-05-01T00:00:00+00:00", "cause": ""}),
            "pending.kind",
        ),
        (lambda d: d.update(region="MARS"), "'region'"),
    ],
)
def test_damaged_records_are_refused_with_the_field_named(damage, field: str) -> None:
    data = json.loads(json.dumps(_issued().to_dict()))
    damage(data)
    with pytest.raises(RecordFormatError) as caught:
        DeviceRecord.from_dict(data)
    assert field in str(caught.value) and "0003717C0E0A" in str(caught.value)


def test_not_a_mapping_at_all() -> None:
    with pytest.raises(RecordFormatError):
        DeviceRecord.from_dict([])  # type: ignore[arg-type]


def test_new_record_starts_with_one_history_line() -> None:
    record = new_record(entry(install=date(2026, 6, 1)), None, utc(2026, 5, 1))
    assert record.state == DeviceState.IMPORTED and len(record.history) == 1
    assert record.history[0].from_state is None and record.install_date == date(2026, 6, 1)


def test_refusals_from_teams_settle_to_what_teams_knows() -> None:
    from teams_sip.domain.lifecycle.outcomes import settle_already_activated, settle_not_registered

    pending = intend(_issued(), IntentKind.ISSUE_CODE, utc(2026, 5, 6, 6), "renew")
    activated = settle_already_activated(pending, utc(2026, 5, 6, 6))
    assert activated.state == DeviceState.ACTIVATED and activated.pending is None
    assert activated.code_fingerprint is None and activated.history[-1].from_state == DeviceState.CODE_ISSUED
    unknown = settle_not_registered(pending, utc(2026, 5, 6, 6))
    assert unknown.state == DeviceState.READY and unknown.pending is None
    assert settle_not_registered(unknown, utc(2026, 5, 6, 7)) == unknown  # already ready: nothing to add
    blocked = transition(_issued(), DeviceState.BLOCKED, utc(2026, 5, 6), "verdict")
    with pytest.raises(IllegalTransitionError):
        settle_already_activated(
            transition(blocked, DeviceState.REMOVED_FROM_ROSTER, utc(2026, 5, 6), "x"), utc(2026, 5, 7)
        )
