"""Reconciliation as a pure function: from the roster, the stored records, what Teams reports and
the time, decide what to do. No I/O, so every rule is tested directly and a pass is reproducible.

Rules that matter most (docs/lifecycle.md explains them all):
- a code is issued only for an eligible, registered device inside its install window, and only
  when the device holds no live code; a lapsed code is renewed inside the window up to a limit;
- what Teams reports wins over what we believed (a dialled code means activated, whoever issued it);
- an intent left by an interrupted pass is settled from what Teams reports, so a crash neither
  loses a device nor issues a second code without saying why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from teams_sip.domain.lifecycle.actions import (
    Action,
    IssueCodes,
    MarkActivated,
    MarkSignedIn,
    MarkStale,
    MarkUnknownInTeams,
    Notify,
    Plan,
    PlanPolicy,
    Register,
    ReleaseRemoved,
    RenewCode,
)
from teams_sip.domain.lifecycle.evidence import Evidence, as_observed, last_contact, merge, unlisted_since, winner
from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState, RosterEntry, Verdict
from teams_sip.domain.lifecycle.notices import notice_text
from teams_sip.domain.lifecycle.offboarding import Offboarding
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord, IntentKind, new_record, unknown_record
from teams_sip.domain.lifecycle.states import ACTIVE, PRE_ACTIVATION, DeviceState, transition
from teams_sip.domain.lifecycle.windows import InstallWindow, install_window, site_zone
from teams_sip.domain.sites import Site
from teams_sip.errors import ConfigError, InputError

S = DeviceState
_AWAITING_CODE = frozenset({S.REGISTERED, S.CODE_EXPIRED})
_IN_TEAMS_NOT_ACTIVE = frozenset({S.REGISTERED, S.CODE_ISSUED, S.CODE_EXPIRED})


def plan(
    roster: Sequence[RosterEntry],
    records: Mapping[str, DeviceRecord],
    observed: Mapping[str, ObservedDevice] | None,
    sites: Mapping[str, Site],
    now: datetime,
    policy: PlanPolicy,
    evidence: Mapping[str, Sequence[Evidence]] | None = None,
) -> Plan:
    """Everything one pass should do. Raises InputError (before deciding anything) when the roster
    names a handset twice; never raises for a device's own data, which becomes a Notify instead.
    `observed` None means Teams could not be read this pass (the SIP device inventory failed or is
    switched off): nothing is then concluded from a device's absence, and every state is kept.
    `evidence`: what the inventory sources said this pass, per handset (evidence.py); kept on the
    records and followed where it is the newest word on a handset Teams' listing did not show."""
    if now.tzinfo is None:
        raise ValueError("plan() needs a timezone-aware time")
    by_id: dict[str, RosterEntry] = {}
    duplicates: set[str] = set()
    for row in roster:
        if row.hardware_id in by_id:
            duplicates.add(row.hardware_id)
        by_id[row.hardware_id] = row
    if duplicates:
        raise InputError(
            f"The roster names these handsets more than once: {', '.join(sorted(duplicates))}. Keep one row each."
        )
    inventory = observed is not None
    observed = observed or {}
    evidence = evidence or {}
    actions: list[Action] = []
    changed: dict[str, DeviceRecord] = {}
    first_codes: dict[tuple[str, date], list[str]] = {}
    closes: dict[tuple[str, date], datetime] = {}
    for hid in sorted(set(by_id) | set(records) | set(observed)):
        entry, obs, stored = by_id.get(hid), observed.get(hid), records.get(hid)
        if stored is not None and hid in evidence:
            kept = merge(stored.evidence, evidence[hid])
            stored = stored if kept == stored.evidence else dataclasses.replace(stored, evidence=kept)
        if entry is not None:
            site = sites.get(entry.site)
            region = site.region if site else None
            step = _Device(stored or new_record(entry, region, now), now)
            _in_roster(step, entry, obs, site, policy, refresh=stored is not None, inventory=inventory)
        elif stored is not None:
            step = _Device(stored, now)
            _not_in_roster(step, obs, policy, inventory)
        else:
            assert obs is not None
            step = _Device(unknown_record(hid, obs.signed_in_user, now), now)
            step.actions.append(MarkUnknownInTeams(hid))
            step.attend(Attention.UNKNOWN_IN_TEAMS)
        if step.first_code is not None and step.record.install_date is not None:
            key = (step.record.site, step.record.install_date)
            first_codes.setdefault(key, []).append(hid)
            closes[key] = step.first_code.closes
        actions.extend(step.actions)
        if step.record != records.get(hid):
            changed[hid] = step.record
    for (site_name, day), hids in sorted(first_codes.items()):
        actions.append(IssueCodes(site_name, day, tuple(hids), closes[(site_name, day)]))
    return Plan(now=now, actions=tuple(actions), records=changed)


class _Device:
    """One device's record while the plan works on it, with the actions it gives rise to."""

    def __init__(self, record: DeviceRecord, now: datetime) -> None:
        self.record = record
        self.now = now
        self.actions: list[Action] = []
        self.first_code: InstallWindow | None = None

    @property
    def state(self) -> DeviceState:
        return self.record.state

    def move(self, to_state: DeviceState, cause: str) -> None:
        if self.record.state != to_state:
            self.record = transition(self.record, to_state, self.now, cause)

    def update(self, **changes: Any) -> None:
        """Copy the record only when something differs: most passes change nothing."""
        if any(getattr(self.record, name) != value for name, value in changes.items()):
            self.record = dataclasses.replace(self.record, **changes)

    def attend(self, reason: Attention | None, detail: str = "") -> None:
        """Set why the device needs a person; announce it only when the reason is new."""
        rec = self.record
        if reason is not None and reason != rec.attention:
            self.actions.append(Notify(rec.hardware_id, rec.site, reason, notice_text(reason, rec, detail)))
        if reason != rec.attention:
            self.update(attention=reason)


def _not_in_roster(step: _Device, obs: ObservedDevice | None, policy: PlanPolicy, inventory: bool) -> None:
    rec = step.record
    waiting = obs is not None and obs.state == ObservedState.WAITING_ON_ACTIVATION
    removable = waiting and policy.remove_released_in_teams
    if rec.state == S.UNKNOWN_IN_TEAMS:
        if inventory:
            step.attend(Attention.UNKNOWN_IN_TEAMS if obs is not None else None)
        return
    if rec.state != S.REMOVED_FROM_ROSTER:
        step.move(S.REMOVED_FROM_ROSTER, "no longer named in the roster")
        step.update(code_fingerprint=None)
        step.actions.append(ReleaseRemoved(rec.hardware_id, remove_in_teams=removable))
    elif removable:  # an earlier removal has not taken effect yet: ask again (removal is idempotent)
        step.actions.append(ReleaseRemoved(rec.hardware_id, remove_in_teams=True))
    pending = step.record.pending
    if pending is not None and ((obs is None and inventory) or pending.kind != IntentKind.RELEASE):
        step.update(pending=None)
    if inventory:
        active = obs is not None and obs.state != ObservedState.WAITING_ON_ACTIVATION
        step.attend(Attention.REMOVED_BUT_ACTIVE if active else None)


def _in_roster(
    step: _Device, entry: RosterEntry, obs: ObservedDevice | None, site: Site | None, policy: PlanPolicy, refresh: bool,
    *, inventory: bool = True,
) -> None:
    if refresh:
        _refresh(step, entry, site)
    if step.state in (S.REMOVED_FROM_ROSTER, S.UNKNOWN_IN_TEAMS):
        step.move(S.IMPORTED, "named in the roster")
    _judge(step, entry.verdict)
    _observe(step, obs, policy, inventory)
    if step.state == S.CODE_ISSUED and not step.record.code_is_live(step.now):
        step.move(S.CODE_EXPIRED, "the code lapsed without being dialled")
    window = _window(step, site, policy)
    _act(step, obs, window, _site_usable(site), policy)
    step.attend(*_attention(step, site, window, policy))


def _refresh(step: _Device, entry: RosterEntry, site: Site | None) -> None:
    """Copy what the roster now says; a new install date starts a new window (renewals reset)."""
    rec = step.record
    region = site.region if site else rec.region
    now_says = (entry.kind, entry.upn, entry.display_name, entry.account_type, entry.site, region, entry.verdict)
    if now_says != (rec.kind, rec.upn, rec.display_name, rec.account_type, rec.site, rec.region, rec.verdict):
        fields = ("kind", "upn", "display_name", "account_type", "site", "region", "verdict")
        step.update(**dict(zip(fields, now_says, strict=True)))  # compared as one tuple: most rows are unchanged
    if entry.install_date != rec.install_date:
        step.update(install_date=entry.install_date, codes_issued=0)
        if rec.state == S.STALE and entry.install_date is not None:
            cause = f"new install date {entry.install_date}: onboard again (factory reset the handset first)"
            step.move(S.READY, cause)


def _judge(step: _Device, verdict: Verdict) -> None:
    if step.state not in PRE_ACTIVATION:
        return
    if verdict == Verdict.ELIGIBLE:
        if step.state in (S.IMPORTED, S.BLOCKED, S.WAITING_FOR_POLICY):
            step.move(S.READY, "the user is eligible")
    elif verdict == Verdict.WAITING_FOR_POLICY:
        step.move(S.WAITING_FOR_POLICY, "a calling policy change is still taking effect")
    else:
        step.move(S.BLOCKED, f"eligibility verdict: {verdict.value}")


def _observe(step: _Device, obs: ObservedDevice | None, policy: PlanPolicy, inventory: bool) -> None:
    """Follow what Teams reports, and settle an intent an interrupted pass left behind."""
    hid = step.record.hardware_id
    said = ""
    if obs is None:
        if inventory:
            _absent(step, policy)
        elif policy.offboarding is not None:
            _unlisted(step, policy.offboarding)
        best = winner(step.record.evidence, step.record)  # after _absent: nothing older undoes a stale verdict
        if best is None:
            return
        obs, said = as_observed(best, hid), f" ({best.source.label}, {best.at:%Y-%m-%d %H:%M} UTC)"
    elif step.record.missing_since is not None:
        step.update(missing_since=None)  # listed again: a gap in the listing, not an off-boarding
    if obs.state == ObservedState.SIGNED_IN:
        if step.state != S.SIGNED_IN:
            user = f" as {obs.signed_in_user}" if obs.signed_in_user else ""
            step.move(S.SIGNED_IN, f"signed in{user}{said}")
            step.actions.append(MarkSignedIn(hid, obs.signed_in_user))
    elif obs.state == ObservedState.WAITING_FOR_SIGN_IN:
        if step.state != S.ACTIVATED:
            what = "signed out" if step.state == S.SIGNED_IN else "code dialled: waiting for sign-in"
            step.move(S.ACTIVATED, what + said)
            step.actions.append(MarkActivated(hid))
    elif step.state in (S.READY, S.STALE, S.ACTIVATED, S.SIGNED_IN):
        step.move(S.REGISTERED, "listed by Teams as waiting on activation")
    if step.state in ACTIVE:
        step.update(pending=None, code_fingerprint=None)
        return
    pending = step.record.pending
    if pending is not None and pending.kind == IntentKind.REGISTER and step.state != S.READY:
        step.update(pending=None)  # the registration took effect
    teams_code = obs.code_expires_at
    foreign_code = (
        obs.state == ObservedState.WAITING_ON_ACTIVATION
        and step.state in _AWAITING_CODE
        and teams_code is not None
        and teams_code > step.now
        and teams_code != step.record.code_expires_at
    )
    if foreign_code and pending is None:
        assert teams_code is not None
        step.move(S.CODE_ISSUED, "a code was generated outside teams-sip (Teams admin center)")
        step.update(code_expires_at=teams_code, code_fingerprint=None, codes_issued=step.record.codes_issued + 1)


def _absent(step: _Device, policy: PlanPolicy) -> None:
    """The device is not in what Teams reports this pass."""
    hid = step.record.hardware_id
    if policy.offboarding is not None:
        _missing(step, policy.offboarding)
    elif step.state == S.SIGNED_IN or (step.state == S.ACTIVATED and policy.teams_lists_pending):
        step.move(S.STALE, "no longer listed by Teams after activation")
        step.actions.append(MarkStale(hid))
    elif step.state in _IN_TEAMS_NOT_ACTIVE and policy.teams_lists_pending and step.record.pending is None:
        step.move(S.READY, "no longer waiting on activation in Teams: register again")


def _missing(step: _Device, rules: Offboarding) -> None:
    """Missing from the SIP device inventory: stale only once missing as long as Microsoft waits
    before off-boarding a device in its state, counted from the first listing without it."""
    limit = rules.limit(step.record)
    if limit is None:
        return
    since = step.record.missing_since
    if since is None:
        step.update(missing_since=step.now)
        return
    contact = last_contact(step.record.evidence)  # the newest word of any source counts too
    since = since if contact is None else max(since, contact)
    if step.now - since > limit:
        days = (step.now - since).days
        step.move(S.STALE, f"not listed by Teams for {days} days: off-boarded after {limit.days} days without contact")
        step.update(missing_since=None)
        step.actions.append(MarkStale(step.record.hardware_id))


def _unlisted(step: _Device, rules: Offboarding) -> None:
    """No teamwork listing this pass: the admin's newest export, a complete listing as of its time,
    may still show the handset missing; the clock starts at the first export without it since the
    handset's last contact (a teamwork listing's earlier start is kept)."""
    at = unlisted_since(step.record.evidence, step.record)
    if at is None or rules.limit(step.record) is None:
        return
    since, contact = step.record.missing_since, last_contact(step.record.evidence)
    if since is None or (contact is not None and since < contact):
        step.update(missing_since=at)
    _missing(step, rules)


def _window(step: _Device, site: Site | None, policy: PlanPolicy) -> InstallWindow | None:
    if site is None or step.record.install_date is None:
        return None
    try:
        return install_window(step.record.install_date, site.time_zone, policy.window)
    except ConfigError:
        return None


def _site_usable(site: Site | None) -> bool:
    if site is None:
        return False
    try:
        site_zone(site.time_zone)
    except ConfigError:
        return False
    return True


def _act(
    step: _Device, obs: ObservedDevice | None, window: InstallWindow | None, site_ok: bool, policy: PlanPolicy
) -> None:
    rec = step.record
    pending = rec.pending
    eligible = rec.verdict == Verdict.ELIGIBLE and site_ok
    if step.state == S.READY and eligible:
        retry = pending is not None and pending.kind == IntentKind.REGISTER
        cause = "retry of an interrupted registration" if retry else "eligible"
        step.actions.append(Register(rec.hardware_id, rec.site, cause))
        return
    if pending is not None and pending.kind == IntentKind.REGISTER:
        step.update(pending=None)
    issuing = (
        eligible
        and window is not None
        and step.state in _AWAITING_CODE
        and not rec.code_is_live(step.now)
        and window.is_open(step.now)
        and rec.codes_issued <= policy.max_renewals
    )
    pending = step.record.pending
    if not issuing:
        if pending is not None and pending.kind == IntentKind.ISSUE_CODE:
            step.update(pending=None)
        return
    assert window is not None and rec.install_date is not None
    lost = (
        pending is not None
        and pending.kind == IntentKind.ISSUE_CODE
        and obs is not None
        and obs.code_expires_at is not None
        and obs.code_expires_at > pending.at
    )
    if rec.codes_issued == 0:
        step.first_code = window
    else:
        cause = "replaces a code an interrupted pass never delivered" if lost else "the previous code lapsed unused"
        renewal = RenewCode(rec.hardware_id, rec.site, rec.install_date, rec.codes_issued, cause, window.closes)
        step.actions.append(renewal)


def _attention(
    step: _Device, site: Site | None, window: InstallWindow | None, policy: PlanPolicy
) -> tuple[Attention | None, str]:
    rec = step.record
    if site is None:
        return Attention.UNKNOWN_SITE, f"site '{rec.site}' is not in the sites list"
    if not _site_usable(site):
        return Attention.UNKNOWN_SITE, f"site '{rec.site}' has an unknown time zone '{site.time_zone}'"
    if step.state == S.BLOCKED:
        return (Attention.NEEDS_ATTENTION if rec.verdict == Verdict.NEEDS_ATTENTION else Attention.BLOCKED), ""
    if step.state == S.STALE:
        return Attention.STALE, ""
    waiting = step.state in (S.READY, S.REGISTERED, S.CODE_EXPIRED) and rec.verdict == Verdict.ELIGIBLE
    if waiting and window is not None and window.has_closed(step.now):
        return Attention.WINDOW_CLOSED, ""
    if (
        waiting
        and step.state != S.READY
        and window is not None
        and window.is_open(step.now)
        and rec.codes_issued > policy.max_renewals
    ):
        return Attention.RENEWALS_EXHAUSTED, ""
    return None, ""
