"""Property tests: simulated days of passes, technicians, roster edits and killed passes.

Whatever happens, a code is issued only inside the device's install window (checked against an
oracle written here from the rule, not from windows.py), never while a delivered code is live,
and never more often per install date than the renewal limit allows (codes lost to a killed pass
before they were recorded do not count: they reached nobody, which is the cause for the next one).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams_sip.domain.lifecycle.actions import IssueCodes, PlanPolicy, RenewCode
from teams_sip.domain.lifecycle.inputs import ObservedState, RosterEntry, Verdict
from teams_sip.domain.lifecycle.plan import plan
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState
from teams_sip.domain.lifecycle.windows import WindowRule
from teams_sip.domain.roster_row import RosterRow

from .support import FINGERPRINT_KEY, SITES, SimulatedCrashError, TeamsTwin, apply, utc

STARTS = [utc(2026, 3, 26), utc(2026, 10, 22), utc(2026, 3, 6), utc(2026, 5, 3)]  # around DST changes
STEPS = [timedelta(minutes=m) for m in (20, 90, 180, 420, 780, 1440)]
VERDICTS = [Verdict.ELIGIBLE] * 5 + [Verdict.BLOCKED, Verdict.WAITING_FOR_POLICY, Verdict.NEEDS_ATTENTION]


def window_open_oracle(now: datetime, site: str, install: date | None, rule: WindowRule) -> bool:
    if install is None:
        return False
    local = now.astimezone(ZoneInfo(SITES[site].time_zone))
    if not install <= local.date() < install + timedelta(days=rule.days):
        return False
    return local.date() != install or local.time() >= rule.opens_at


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_simulated_days_never_issue_outside_a_window_or_twice(data: st.DataObject) -> None:
    start = data.draw(st.sampled_from(STARTS), "start")
    rule = WindowRule(opens_at=time(data.draw(st.integers(5, 9), "opens")), days=data.draw(st.integers(1, 3), "days"))
    policy = PlanPolicy(
        window=rule,
        max_renewals=data.draw(st.integers(0, 3), "renewals"),
        remove_released_in_teams=data.draw(st.booleans(), "remove"),
        teams_lists_pending=data.draw(st.booleans(), "api mode"),
    )
    roster: dict[str, RosterEntry] = {}
    for i in range(data.draw(st.integers(1, 4), "devices")):
        hid = f"{i + 1:012X}"
        roster[hid] = RosterEntry(
            RosterRow(
                hid,
                "dect",
                f"user{i}@contoso.example",
                f"User {i}",
                "user",
                data.draw(st.sampled_from(sorted(SITES)), "site"),
                start.date() + timedelta(days=data.draw(st.integers(0, 4), "install")),
            ),
            data.draw(st.sampled_from(VERDICTS), "verdict"),
        )
    removed: dict[str, RosterEntry] = {}
    records: dict[str, DeviceRecord] = {}
    teams = TeamsTwin()
    now = start
    per_window: Counter[tuple[str, date | None]] = Counter()
    lost: Counter[tuple[str, date | None]] = Counter()

    for _ in range(data.draw(st.integers(8, 30), "passes")):
        now += data.draw(st.sampled_from(STEPS), "step")
        _people_and_teams_act(data, teams, roster, now)
        _admin_edits(data, roster, removed)
        crash_at = data.draw(st.one_of(st.none(), st.integers(0, 4)), "crash")
        observed = teams.observed()
        if not policy.teams_lists_pending:  # assisted mode: Graph lists only devices that signed in
            observed = {h: o for h, o in observed.items() if o.state == ObservedState.SIGNED_IN}
        result = plan(list(roster.values()), records, observed, SITES, now, policy)
        issued_ids = [h for a in result.of_type(IssueCodes) for h in a.hardware_ids]
        issued_ids += [a.hardware_id for a in result.of_type(RenewCode)]
        assert len(issued_ids) == len(set(issued_ids)), "one device got two codes in one pass"
        before = len(teams.issued)
        crashed = False
        try:
            apply(result, records, teams, now, crash_at)
        except SimulatedCrashError:
            crashed = True
        for hid, at, replaced_delivered in teams.issued[before:]:
            current = roster[hid]
            assert not replaced_delivered, f"{hid}: a second code while a delivered one was live"
            assert current.verdict == Verdict.ELIGIBLE
            assert window_open_oracle(at, current.site, current.install_date, rule), f"{hid} issued at {at}"
            delivered = teams.devices[hid].delivered
            assert delivered or crashed, f"{hid}: a code was issued and not recorded without a crash"
            (per_window if delivered else lost)[(hid, current.install_date)] += 1
        for record in records.values():
            assert DeviceRecord.from_dict(json.loads(json.dumps(record.to_dict()))) == record
            device = teams.devices.get(record.hardware_id)
            settled = record.state == DeviceState.CODE_ISSUED and record.pending is None and record.code_fingerprint
            if settled and device is not None and device.code is not None:
                assert device.code.fingerprint(FINGERPRINT_KEY) == record.code_fingerprint, \
                    "the record lost track of the live code"
    for key, count in per_window.items():
        assert count <= 1 + policy.max_renewals, f"{key}: {count} codes delivered ({lost[key]} lost to crashes)"


def _people_and_teams_act(data: st.DataObject, teams: TeamsTwin, roster: dict[str, RosterEntry], now: datetime) -> None:
    for hid in sorted(teams.devices):
        device = teams.devices[hid]
        if data.draw(st.integers(0, 3), "dial") == 0:
            teams.dial(hid, now)
        if device.state == ObservedState.WAITING_FOR_SIGN_IN and data.draw(st.booleans(), "sign in"):
            teams.sign_in(hid, roster[hid].upn if hid in roster else "someone@contoso.example")
        if device.state != ObservedState.WAITING_ON_ACTIVATION and data.draw(st.integers(0, 15), "stale") == 0:
            del teams.devices[hid]
    if data.draw(st.integers(0, 20), "stranger") == 0:
        teams.register("0000000F0F0F")
        teams.devices["0000000F0F0F"].state = ObservedState.SIGNED_IN


def _admin_edits(data: st.DataObject, roster: dict[str, RosterEntry], removed: dict[str, RosterEntry]) -> None:
    choice = data.draw(st.integers(0, 12), "edit")
    if choice == 0 and roster:
        hid = data.draw(st.sampled_from(sorted(roster)), "remove which")
        removed[hid] = roster.pop(hid)
    elif choice == 1 and removed:
        hid = data.draw(st.sampled_from(sorted(removed)), "re-add which")
        roster[hid] = removed.pop(hid)
    elif choice == 2 and roster:
        hid = data.draw(st.sampled_from(sorted(roster)), "move which")
        old = roster[hid].install_date or date(2026, 1, 1)
        moved = replace(roster[hid].row, install_date=old + timedelta(days=data.draw(st.integers(1, 3), "by")))
        roster[hid] = replace(roster[hid], row=moved)
    elif choice == 3 and roster:
        hid = data.draw(st.sampled_from(sorted(roster)), "judge which")
        roster[hid] = replace(roster[hid], verdict=data.draw(st.sampled_from(VERDICTS), "new verdict"))
