"""The run report counts what stands after a pass and lists what changed and who must act."""

from __future__ import annotations

import json
from datetime import date

from teams_sip.domain.lifecycle.actions import PlanPolicy
from teams_sip.domain.lifecycle.inputs import Verdict
from teams_sip.domain.lifecycle.plan import plan
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.report import build_report
from teams_sip.domain.lifecycle.states import DeviceState

from .support import SITES, TeamsTwin, apply, entry, utc


def test_report_after_a_pass() -> None:
    roster = [
        entry("000000000001"),
        entry("000000000002", verdict=Verdict.BLOCKED, upn="bob@contoso.example"),
        entry("000000000003", site="Tokyo", install=date(2026, 5, 9)),
    ]
    records: dict[str, DeviceRecord] = {}
    teams = TeamsTwin()
    first = plan(roster, records, teams.observed(), SITES, utc(2026, 5, 1), PlanPolicy())
    apply(first, records, teams, utc(2026, 5, 1))
    before = dict(records)
    second = plan(roster, records, teams.observed(), SITES, utc(2026, 5, 5, 6), PlanPolicy())
    apply(second, records, teams, utc(2026, 5, 5, 6))
    report = build_report(before, records, utc(2026, 5, 5, 6), second.actions)

    assert report.by_state == {"blocked": 1, "registered": 1, "code_issued": 1}
    assert report.by_site == {"Berlin": {"blocked": 1, "code_issued": 1}, "Tokyo": {"registered": 1}}
    assert report.actions == {"IssueCodes": 1}
    assert [(c.hardware_id, c.from_state, c.to_state) for c in report.changes] == [
        ("000000000001", DeviceState.REGISTERED, DeviceState.CODE_ISSUED)
    ]
    assert [(n.hardware_id, n.reason.value) for n in report.needs_person] == [("000000000002", "blocked")]

    data = json.loads(json.dumps(report.to_dict()))
    assert data["devices"] == 3 and data["needs_person"][0]["upn"] == "bob@contoso.example"
    assert data["changes"][0]["to"] == "code_issued"
    text = report.to_text()
    assert "3 handsets" in text and "000000000001 [Berlin] registered -> code_issued" in text
    assert "Needs a person (1):" in text and "not eligible" in text


def test_first_report_lists_every_step_of_new_devices() -> None:
    records: dict[str, DeviceRecord] = {}
    teams = TeamsTwin()
    result = plan([entry()], records, teams.observed(), SITES, utc(2026, 5, 1), PlanPolicy())
    apply(result, records, teams, utc(2026, 5, 1))
    report = build_report({}, records, utc(2026, 5, 1), result.actions)
    assert [c.to_state.value for c in report.changes] == ["imported", "ready", "registered"]
    assert "new -> imported" in report.to_text()
