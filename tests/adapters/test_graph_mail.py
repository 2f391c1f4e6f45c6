"""GraphMailNotifier against the live simulated tenant: what lands in the outbox, and refusals."""

from __future__ import annotations

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.notify.graph_mail import MAX_ATTACHMENT_BYTES, GraphMailNotifier, MailNotSentError
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.ports.notifier import Attachment, Message
from teams_sip.simulator import SimulatedTenant
from tests.clients.conftest import sim_settings

CODE = "48213597"  # stands for a verification code inside a worksheet body


def sender(sim: SimulatedTenant) -> str:
    return sim.scenario.users_with_case("eligible")[0].upn


def worksheet() -> Message:
    return Message(
        to=("ward3@contoso.example", "tech.lead@contoso.example"),
        subject="Worksheet Berlin 2026-03-10",
        text=f"Dial *55*{CODE}",
        html=f"<p>Dial <b>*55*{CODE}</b></p>",
        attachments=(
            Attachment("berlin-2026-03-10.csv", "text/csv", f"hw,code\r\n0003717C0E0A,{CODE}\r\n".encode()),
            Attachment("berlin-2026-03-10.html", "text/html", b"<html></html>"),
        ),
        category="worksheet",
    )


def test_mail_lands_in_outbox_with_recipients_subject_html_and_attachments(sim, graph) -> None:
    before = len(sim.outbox)
    GraphMailNotifier(graph, sender(sim)).send(worksheet())
    mails = sim.outbox[before:]
    assert len(mails) == 1
    mail = mails[0]
    assert mail.sender == sender(sim)
    assert mail.to == ("ward3@contoso.example", "tech.lead@contoso.example")
    assert mail.subject == "Worksheet Berlin 2026-03-10"
    assert mail.content_type.lower() == "html" and f"*55*{CODE}" in mail.body
    csv_size = len(f"hw,code\r\n0003717C0E0A,{CODE}\r\n".encode())
    assert [(a[0], a[1], a[2]) for a in mail.attachments] == [
        ("berlin-2026-03-10.csv", "text/csv", csv_size),
        ("berlin-2026-03-10.html", "text/html", len(b"<html></html>")),
    ]


def test_text_body_is_sent_when_there_is_no_html(sim, graph) -> None:
    before = len(sim.outbox)
    GraphMailNotifier(graph, sender(sim)).send(
        Message(to=("user@contoso.example",), subject="Your handset is waiting", text="Sign in at aka.ms/siplogin")
    )
    (mail,) = sim.outbox[before:]
    assert mail.content_type.lower() == "text" and mail.body == "Sign in at aka.ms/siplogin"
    assert mail.attachments == ()


def test_missing_mail_send_permission_is_a_clear_error_without_the_body(sim) -> None:
    sim.set_app_roles(["User.Read.All"])
    settings = sim_settings(sim)
    before = len(sim.outbox)
    try:
        with GraphSession(settings, build_token_provider(settings, sim.clock)) as limited, pytest.raises(
            MailNotSentError
        ) as err:
            GraphMailNotifier(limited, sender(sim)).send(worksheet())
    finally:
        sim.set_app_roles(list(sim.scenario.app.roles))
    text = str(err.value)
    assert isinstance(err.value, TeamsSipError)
    assert "403" in text and "Mail.Send" in text and sender(sim) in text and "worksheet" in text
    assert CODE not in text and "Dial" not in text and "Bearer" not in text
    assert CODE not in repr(err.value) and err.value.__cause__ is None
    assert len(sim.outbox) == before


def test_unknown_sender_mailbox_is_a_clear_error(sim, graph) -> None:
    before = len(sim.outbox)
    with pytest.raises(MailNotSentError, match=r"nobody\.here@contoso\.example") as err:
        GraphMailNotifier(graph, "nobody.here@contoso.example").send(worksheet())
    assert "404" in str(err.value) and CODE not in str(err.value)
    assert len(sim.outbox) == before


@pytest.mark.parametrize("to", [(), ("not-an-address",), ("ok@contoso.example", "two words@contoso.example")])
def test_bad_recipients_are_refused_before_anything_is_sent(sim, graph, to) -> None:
    before, requests = len(sim.outbox), sim.stats()["totalRequests"]
    with pytest.raises(InputError, match="worksheet mail"):
        GraphMailNotifier(graph, sender(sim)).send(
            Message(to=to, subject="s", text=f"*55*{CODE}", category="worksheet")
        )
    assert len(sim.outbox) == before and sim.stats()["totalRequests"] == requests


def test_attachments_over_graphs_limit_are_refused_before_sending(sim, graph) -> None:
    big = Attachment("huge.csv", "text/csv", b"x" * (MAX_ATTACHMENT_BYTES + 1))
    before, requests = len(sim.outbox), sim.stats()["totalRequests"]
    with pytest.raises(InputError, match="at most"):
        GraphMailNotifier(graph, sender(sim)).send(
            Message(to=("a@contoso.example",), subject="s", text="t", attachments=(big,))
        )
    assert len(sim.outbox) == before and sim.stats()["totalRequests"] == requests


def test_bad_sender_setting_is_refused_at_construction(graph) -> None:
    with pytest.raises(InputError, match="MAIL_SENDER"):
        GraphMailNotifier(graph, "teams-sip")


def test_throttled_sends_are_retried_and_each_mail_lands_once(sim, graph) -> None:
    sim.set_faults(rate_limit_per_s=5, burst=1)
    before = len(sim.outbox)
    notifier = GraphMailNotifier(graph, sender(sim))
    try:
        for n in range(2):
            notifier.send(Message(to=("site@contoso.example",), subject=f"Reminder {n}", text="t"))
    finally:
        sim.set_faults(rate_limit_per_s=None, burst=None)
    assert [m.subject for m in sim.outbox[before:]] == [f"Reminder {n}" for n in range(2)]
    assert sim.stats()["throttled"] > 0


def test_lost_answer_is_not_resent_and_says_delivery_is_unknown(sim, graph) -> None:
    sim.set_faults(resets=1.0)
    sim.reset_stats()
    before = len(sim.outbox)
    try:
        with pytest.raises(MailNotSentError, match="may or may not have been delivered") as err:
            GraphMailNotifier(graph, sender(sim)).send(worksheet())
    finally:
        sim.set_faults(resets=0)
    assert CODE not in str(err.value)
    assert sim.stats()["totalRequests"] == 1  # one attempt: a lost sendMail answer is never resent
    assert len(sim.outbox) - before <= 1
