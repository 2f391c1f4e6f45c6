"""An admin asks for a new verification code for one handset (the technician lost it, the handset
was swapped). The request goes through the same executor as a pass, so the intent is recorded
before Teams is called and the code reaches the site's worksheet before the record is settled.

Refused outside the install window (a code must be dialled the day it is issued), and refused while
a live code exists unless the admin forces a replacement: Teams keeps one code per device and a new
one replaces the old, so the record drops the old expiry first and never holds two live codes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from teams_sip.domain.lifecycle.actions import Plan, RenewCode
from teams_sip.domain.lifecycle.inputs import Verdict
from teams_sip.domain.lifecycle.states import DeviceState, transition
from teams_sip.domain.lifecycle.windows import install_window
from teams_sip.errors import ConfigError, InputError, TeamsSipError
from teams_sip.service.executor import Executor
from teams_sip.service.rollout import Rollout
from teams_sip.service.views import NotFoundError, hardware_id_of, local_text
from teams_sip.service.worksheet_delivery import WorksheetDelivery

_RENEWABLE = {DeviceState.REGISTERED, DeviceState.CODE_ISSUED, DeviceState.CODE_EXPIRED}


class RenewalRefusedError(InputError):
    """The request contradicts the lifecycle's rules (window, live code, state); nothing changed."""

    http_status = 409


class RenewalFailedError(TeamsSipError):
    """Teams refused or did not answer; the recorded intent lets the next pass settle the device."""

    http_status = 502


@dataclass(frozen=True)
class RenewalOutcome:
    hardware_id: str
    status: str  # "issued", or "awaiting_admin" in assisted mode (generate it in TAC, upload the export)
    message: str
    expires_local: str | None = None


def delivery_for(rollout: Rollout) -> WorksheetDelivery:
    """Worksheet delivery as the pass builds it: every site and roster row, the service clock."""
    svc = rollout.ports
    rows = rollout.roster.current()
    return WorksheetDelivery(svc.artifacts, svc.notifier, sites=rollout.sites(rows),
                             roster={r.hardware_id: r for r in rows}, tenant_id=svc.settings.tenant_id,
                             now=svc.clock.now, admin_contacts=svc.settings.rollout.admin_contacts)


def renew_code(rollout: Rollout, hardware_id: str, *, force: bool, actor: str, correlation_id: str) -> RenewalOutcome:
    hid = hardware_id_of(hardware_id)
    stored = rollout.devices.get(hid)
    if stored is None:
        raise NotFoundError(f"No handset {hardware_id[:40]} is known: import it in a roster first.")
    record, now = stored.record, rollout.ports.clock.now()
    if record.state not in _RENEWABLE:
        raise RenewalRefusedError(f"Handset {hid} is '{record.state}': only registered handsets waiting for "
                                  "activation can get a new code.")
    if record.verdict != Verdict.ELIGIBLE:
        raise RenewalRefusedError(f"The user of handset {hid} is not eligible; fix the user first.")
    site = rollout.sites().get(record.site)
    if record.install_date is None or site is None:
        raise RenewalRefusedError(f"Handset {hid} has no install date or site; correct its roster row.")
    try:
        window = install_window(record.install_date, site.time_zone, rollout.policy().window)
    except ConfigError as exc:
        raise RenewalRefusedError(str(exc)) from None
    if not window.is_open(now):
        raise RenewalRefusedError(
            f"Handset {hid}'s install window is {local_text(window.opens, site.time_zone)} to "
            f"{local_text(window.closes, site.time_zone)}; codes are issued only inside it (they last 24 hours).")
    if record.code_is_live(now) and not force:
        until = local_text(record.code_expires_at, site.time_zone)
        raise RenewalRefusedError(f"Handset {hid} has a code valid until {until}; ask again with force to replace it.")
    if record.pending is not None:
        raise RenewalRefusedError(f"A provisioning call for handset {hid} is still being settled; try again after "
                                  "the next reconciliation pass.")
    start = record
    if record.code_is_live(now):  # the new code replaces it in Teams: record the old one as ended first
        start = transition(dataclasses.replace(record, code_expires_at=None), DeviceState.CODE_EXPIRED, now,
                           "live code replaced at an admin's request")
    cause = "renewal requested by an admin" + (" (replaces a live code)" if start is not record else "")
    action = RenewCode(hid, record.site, record.install_date, record.codes_issued, cause, window.closes)
    plan = Plan(now, (action,), {hid: start} if start is not record else {})
    execution = Executor(rollout.devices, rollout.provisioning(), delivery_for(rollout),
                         fingerprint_key=rollout.ports.fingerprint_key).run(plan, {hid: stored})
    outcome = _outcome(hid, execution.issued[0].expires_at if execution.issued else None, site.time_zone,
                       hid in execution.awaiting_admin, execution.conflicts, execution.failures)
    rollout.audit.record(now, actor, "renew-code", hid, correlation_id,
                         {"status": outcome.status, "forced": force, "replaced_live_code": start is not record})
    return outcome


def _outcome(hid: str, expires: datetime | None, tz: str, awaiting: bool, conflicts: list[str],
             failures: list[tuple[str, str]]) -> RenewalOutcome:
    if expires is not None and not failures:
        return RenewalOutcome(hid, "issued", "A new code was issued; it is on the site's worksheet.",
                              local_text(expires, tz))
    if awaiting:
        return RenewalOutcome(hid, "awaiting_admin", "Generate the code in Teams admin center and upload the "
                                                     "code export (assisted mode).")
    if conflicts:
        raise RenewalRefusedError(f"Handset {hid} was changed meanwhile (by another renewal or a reconciliation "
                                  "pass); nothing was replaced by this request. Look at its state, then try again.")
    reason = failures[0][1] if failures else "no code was issued"
    raise RenewalFailedError(f"Teams issued no code for handset {hid}: {reason}. The next pass settles it.")
