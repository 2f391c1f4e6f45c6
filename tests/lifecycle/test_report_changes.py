"""What the report lists as changed: only history lines a pass added, whether the record object was
kept, copied with the same history, extended, or given a history that no longer starts with the old one."""

from __future__ import annotations

from dataclasses import replace

from teams_sip.domain.lifecycle.records import Attention, new_record
from teams_sip.domain.lifecycle.report import build_report
from teams_sip.domain.lifecycle.states import DeviceState, Transition, transition
from teams_sip.domain.sites import Region

from .support import entry, utc


def test_only_new_history_lines_are_changes() -> None:
    base = transition(new_record(entry("000000000001"), Region.EMEA, utc(2026, 5, 1)), DeviceState.READY,
                      utc(2026, 5, 1), "the user is eligible")
    same = replace(new_record(entry("000000000002"), Region.EMEA, utc(2026, 5, 1)))
    flagged = new_record(entry("000000000003"), Region.EMEA, utc(2026, 5, 1))
    moved = new_record(entry("000000000004"), Region.EMEA, utc(2026, 5, 1))
    rewritten = new_record(entry("000000000005"), Region.EMEA, utc(2026, 5, 1))
    before = {r.hardware_id: r for r in (base, same, flagged, moved, rewritten)}
    other_history = (Transition(utc(2026, 4, 1), None, DeviceState.IMPORTED, "imported again"),)
    after = {
        base.hardware_id: base,  # the very object
        same.hardware_id: replace(same),  # an equal copy
        flagged.hardware_id: replace(flagged, attention=Attention.UNKNOWN_SITE),  # same history tuple
        moved.hardware_id: transition(moved, DeviceState.READY, utc(2026, 5, 2), "eligible now"),
        rewritten.hardware_id: replace(rewritten, history=other_history),
        "000000000006": new_record(entry("000000000006"), Region.EMEA, utc(2026, 5, 2)),  # new this pass
    }
    report = build_report(before, after, utc(2026, 5, 2))
    assert [(c.hardware_id, c.to_state, c.cause) for c in report.changes] == [
        ("000000000004", DeviceState.READY, "eligible now"),
        ("000000000005", DeviceState.IMPORTED, "imported again"),
        ("000000000006", DeviceState.IMPORTED, "named in the roster"),
    ]
    assert report.by_state == {"imported": 4, "ready": 2}
    assert [n.hardware_id for n in report.needs_person] == ["000000000003"]
