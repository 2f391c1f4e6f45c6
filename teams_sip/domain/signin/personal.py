"""Personal users: tell them their handset waits for them, remind them, and escalate before Teams
removes a signed-out device after 14 days (docs/microsoft.md, off-boarding)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SIGN_IN_URL = "https://aka.ms/siplogin"
SIGNED_OUT_REMOVAL = timedelta(days=14)


class NoticeKind(StrEnum):
    FIRST = "first"
    REMINDER = "reminder"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class ReminderPolicy:
    """When to write again after activation; escalate this long before Teams removes the device."""

    reminders_after: tuple[timedelta, ...] = (timedelta(days=2), timedelta(days=5), timedelta(days=9))
    escalate_before_removal: timedelta = timedelta(days=3)


@dataclass(frozen=True)
class WaitingDevice:
    hardware_id: str
    upn: str
    display_name: str
    site: str
    location: str
    time_zone: str
    activated_at: datetime
    notices_sent: tuple[NoticeKind, ...] = ()


def removal_at(device: WaitingDevice) -> datetime:
    return device.activated_at + SIGNED_OUT_REMOVAL


def due_notice(device: WaitingDevice, now: datetime, policy: ReminderPolicy) -> NoticeKind | None:
    """The one notice due now, if any: first, then reminders in turn, then one escalation."""
    if now >= removal_at(device):
        return None
    sent = device.notices_sent
    if NoticeKind.FIRST not in sent:
        return NoticeKind.FIRST
    escalate_at = removal_at(device) - policy.escalate_before_removal
    if now >= escalate_at:
        return None if NoticeKind.ESCALATION in sent else NoticeKind.ESCALATION
    reminders = sent.count(NoticeKind.REMINDER)
    if reminders < len(policy.reminders_after) and now >= device.activated_at + policy.reminders_after[reminders]:
        return NoticeKind.REMINDER
    return None


@dataclass(frozen=True)
class SignInNotice:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str


def compose(device: WaitingDevice, kind: NoticeKind, escalation_to: Sequence[str] = ()) -> SignInNotice:
    """Text and HTML saying which handset, where, how to sign in, and by when."""
    by = removal_at(device).astimezone(ZoneInfo(device.time_zone)).strftime("%A %d %B %Y, %H:%M %Z")
    dashed = "-".join(device.hardware_id[i : i + 2] for i in range(0, 12, 2))
    name = device.display_name or device.upn
    steps = [
        f"Pick up the handset at {device.site} ({device.location}); it shows a pairing code.",
        f"On a computer or phone open {SIGN_IN_URL} and enter that code.",
        f"Sign in as {device.upn}. The handset then shows your Teams number.",
    ]
    lead = {
        NoticeKind.FIRST: f"Your Teams handset ({dashed}) is ready and waits for you to sign in.",
        NoticeKind.REMINDER: f"Reminder: your Teams handset ({dashed}) still waits for you to sign in.",
        NoticeKind.ESCALATION: f"{name}'s Teams handset ({dashed}) at {device.site} has not been signed in.",
    }[kind]
    warning = f"Sign in before {by}: after that Teams removes the handset and it must be set up again."
    subject = {
        NoticeKind.FIRST: "Your Teams handset is ready: please sign in",
        NoticeKind.REMINDER: "Reminder: sign in to your Teams handset",
        NoticeKind.ESCALATION: f"Action needed: handset for {device.upn} not signed in",
    }[kind]
    to = (device.upn, *escalation_to) if kind is NoticeKind.ESCALATION else (device.upn,)
    text = "\n".join([f"Hello {name},", "", lead, "", *(f"{i}. {s}" for i, s in enumerate(steps, 1)), "", warning])
    esc = html.escape
    body = (
        f"<p>Hello {esc(name)},</p><p>{esc(lead)}</p><ol>"
        + "".join(f"<li>{esc(s)}</li>" for s in steps)
        + f"</ol><p><strong>{esc(warning)}</strong></p>"
    )
    return SignInNotice(to, subject, text, body)
