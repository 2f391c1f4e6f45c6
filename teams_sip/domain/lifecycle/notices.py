"""The words a Teams admin reads when a device needs a person: what happened and what to do."""

from __future__ import annotations

from teams_sip.domain.lifecycle.records import Attention, DeviceRecord

_TEXT: dict[Attention, str] = {
    Attention.BLOCKED: "{who} is not eligible for a SIP device, so no code will be issued. "
    "Run the eligibility check for the reasons and fix the licence, number or policy.",
    Attention.NEEDS_ATTENTION: "{who} needs an admin's decision before the handset can be onboarded. "
    "Run the eligibility check for details.",
    Attention.UNKNOWN_SITE: "{who}: {detail}. Add the site (with its time zone and region) to the sites list.",
    Attention.WINDOW_CLOSED: "{who}: the install window for {date} closed before the handset was activated. "
    "Set a new install date in the roster; a new code will be issued on that day.",
    Attention.RENEWALS_EXHAUSTED: "{who}: {count} codes for {date} lapsed without being dialled; no more are issued "
    "automatically. Check with the technician, then set a new install date or raise the renewal limit.",
    Attention.STALE: "{who}: Teams no longer lists the activated handset (removed after inactivity). "
    "Factory reset it and set a new install date to onboard it again.",
    Attention.UNKNOWN_IN_TEAMS: "{who}: Teams has this SIP device but no roster names it. "
    "Add it to the roster or remove it in the Teams admin center.",
    Attention.REMOVED_BUT_ACTIVE: "{who}: removed from the roster but still active in Teams. "
    "Sign it out and factory reset it; Teams removes it after 14 or 30 days without contact.",
}


def notice_text(reason: Attention, record: DeviceRecord, detail: str = "") -> str:
    who = f"Handset {record.hardware_id}" + (f" ({record.upn})" if record.upn else "")
    return _TEXT[reason].format(
        who=who,
        detail=detail or f"site '{record.site}' is not in the sites list or its time zone is unknown",
        date=record.install_date.isoformat() if record.install_date else "(no date)",
        count=record.codes_issued,
    )
