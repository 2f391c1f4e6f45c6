"""Personal users: first notice, reminders and the escalation over simulated days, each sent once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from teams_sip.adapters.notify.folder import outbox_messages
from teams_sip.domain.clock import ManualClock
from teams_sip.errors import TeamsSipError
from teams_sip.service.ports.notifier import Message, SendsOneByOne

from .support import ADMINS, START, Bench, activated, hw_id


def outbox(bench: Bench) -> list[dict[str, Any]]:
    return outbox_messages(bench.artifacts)


def test_first_notice_reminders_and_escalation_each_once(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    hw = hw_id()
    bench.add(activated(hw, "ana@contoso.example", START))
    sent: list[str] = []
    for _day in range(16):  # two passes a day for 16 days
        for _ in range(2):
            summary = bench.stage.run()
            sent += [kind for kind, n in summary.notices.items() for _ in range(n)]
        clock.advance(timedelta(days=1))
    assert sent == ["first", "reminder", "reminder", "reminder", "escalation"]
    mails = outbox(bench)
    first = mails[0]
    assert first["subject"] == "Your Teams handset is ready: please sign in"
    assert first["to"] == ["ana@contoso.example"]
    assert "https://aka.ms/siplogin" in str(first["text"]) and "Berlin" in str(first["text"])
    assert "<ol>" in str(first["html"]) and "17 March 2025" in str(first["text"])  # removal: 14 days on
    escalation = mails[-1]
    assert escalation["to"] == ["ana@contoso.example", "berlin.lead@contoso.example", *ADMINS]


def test_reminders_follow_the_schedule_in_simulated_time(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    bench.add(activated(hw_id(), "ben@contoso.example", START))
    assert bench.stage.run().notices == {"first": 1}
    clock.advance(timedelta(days=2) - timedelta(seconds=1))
    assert not bench.stage.run().notices
    clock.advance(timedelta(seconds=1))
    assert bench.stage.run().notices == {"reminder": 1}
    clock.advance(timedelta(days=9))  # day 11: escalation is due (3 days before removal), reminders skipped
    assert bench.stage.run().notices == {"escalation": 1}
    assert not bench.stage.run().notices


def test_a_sign_out_starts_a_new_episode_of_notices(tmp_path: Path) -> None:
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    hw = hw_id()
    bench.add(activated(hw, "cara@contoso.example", START))
    assert bench.stage.run().notices == {"first": 1}
    clock.advance(timedelta(days=20))
    stored = bench.devices.get(hw)
    assert stored is not None
    again = activated(hw, "cara@contoso.example", START, signed_out_at=clock.now())
    bench.devices.save(stored, again)
    assert bench.stage.run().notices == {"first": 1}


def test_common_area_accounts_get_no_personal_mail(tmp_path: Path) -> None:
    bench = Bench(tmp_path, ManualClock(START))
    bench.add(activated(hw_id(), "cap.lobby@contoso.example", START, common_area=True))
    assert not bench.stage.run().notices and outbox(bench) == []


class DownNotifier(SendsOneByOne):
    """A notifier whose mail service is down (the port's contract: raise, never pretend)."""

    def __init__(self) -> None:
        self.down = True
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        if self.down:
            raise TeamsSipError("mail service unavailable")
        self.sent.append(message)


def test_a_failed_send_is_not_recorded_and_is_tried_again(tmp_path: Path) -> None:
    notifier = DownNotifier()
    bench = Bench(tmp_path, ManualClock(START), notifier=notifier)
    bench.add(activated(hw_id(), "dan@contoso.example", START))
    summary = bench.stage.run()
    assert not summary.notices and "mail service unavailable" in summary.notice_failures[0]
    notifier.down = False
    assert bench.stage.run().notices == {"first": 1} and len(notifier.sent) == 1


def test_notices_to_hundreds_of_users_are_recorded_in_store_batches_and_sent_once(tmp_path: Path) -> None:
    """More than one store transaction's worth (MAX_BATCH_OPS) of first notices: every device gets
    exactly one, and the next pass, reading them back from the store, sends none again."""
    clock = ManualClock(START)
    bench = Bench(tmp_path, clock)
    hws = [hw_id("B2") for _ in range(230)]
    for n, hw in enumerate(hws):
        bench.add(activated(hw, f"user{n}@contoso.example", START))
    assert bench.stage.run().notices["first"] == 230
    assert sum(bench.stage.run().notices.values()) == 0
    assert sorted(str(m["to"]) for m in outbox(bench)) == sorted(f"['user{n}@contoso.example']" for n in range(230))
    assert len(bench.files("outbox/")) == 3  # a file per batch of MAX_BATCH_OPS notices, not one per mail
