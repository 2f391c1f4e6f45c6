from datetime import UTC, datetime, timedelta

from teams_sip.domain.signin.personal import (
    SIGN_IN_URL,
    NoticeKind,
    ReminderPolicy,
    WaitingDevice,
    compose,
    due_notice,
)

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def _device(*sent: NoticeKind) -> WaitingDevice:
    return WaitingDevice("0003717C0E0A", "alice@contoso.com", "Alice", "Berlin HQ", "Ward 3",
                         "Europe/Berlin", T0, tuple(sent))


def test_notice_sequence_over_fourteen_days() -> None:
    policy = ReminderPolicy()
    sent: list[NoticeKind] = []
    timeline = []
    for hour in range(0, 15 * 24):
        now = T0 + timedelta(hours=hour)
        kind = due_notice(_device(*sent), now, policy)
        if kind:
            sent.append(kind)
            timeline.append((hour // 24, kind))
    assert timeline == [
        (0, NoticeKind.FIRST),
        (2, NoticeKind.REMINDER),
        (5, NoticeKind.REMINDER),
        (9, NoticeKind.REMINDER),
        (11, NoticeKind.ESCALATION),
    ]


def test_nothing_after_removal() -> None:
    assert due_notice(_device(), T0 + timedelta(days=14), ReminderPolicy()) is None


def test_message_says_which_handset_where_how_and_by_when() -> None:
    notice = compose(_device(), NoticeKind.FIRST)
    assert notice.to == ("alice@contoso.com",)
    for part in ("00-03-71-7C-0E-0A", "Berlin HQ", SIGN_IN_URL, "23 March 2026, 10:00 CET"):
        assert part in notice.text and part in notice.html


def test_escalation_goes_to_site_contact_and_admin() -> None:
    notice = compose(_device(), NoticeKind.ESCALATION, ["site@contoso.com", "admin@contoso.com"])
    assert notice.to == ("alice@contoso.com", "site@contoso.com", "admin@contoso.com")
    assert "Action needed" in notice.subject
