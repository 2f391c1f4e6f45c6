"""Mail through Microsoft Graph `sendMail`, as the configured sender mailbox (Mail.Send).

Worksheets and sign-in instructions carry verification codes and names, so a failed send never
echoes the body: the error names the category, the sender, the number of recipients and what
Graph said. The request is sent once: `sendMail` is not idempotent and a resend after a lost
answer could deliver the same worksheet twice.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote

from teams_sip.adapters.graph.errors import GraphError
from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.ports.notifier import Message, SendsOneByOne

MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024
"""Graph takes inline file attachments up to 3 MB in all (the whole request up to 4 MB); bigger ones
need an upload session, which this adapter does not do, so it refuses before sending anything."""

_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class _Poster(Protocol):
    """The part of GraphSession this adapter needs (kept narrow so nothing heavy is imported)."""

    def post_json(
        self, path: str, body: Mapping[str, Any], *, beta: bool = False, idempotent: bool = False
    ) -> dict[str, Any] | None: ...


class MailNotSentError(TeamsSipError):
    """Graph refused or could not be reached; the message was not (or may not have been) delivered."""


class GraphMailNotifier(SendsOneByOne):
    """Implements the Notifier port; `sender_upn` is a mailbox (user or shared) in the tenant. A batch
    is sent one mail at a time (`sendMail` takes one message)."""

    def __init__(self, session: _Poster, sender_upn: str) -> None:
        if not _ADDRESS.match(sender_upn.strip()):
            raise InputError(
                f"MAIL_SENDER {sender_upn!r} is not a mailbox address: set it to the UPN of the mailbox "
                "that sends worksheets (for example teams-sip@contoso.com)."
            )
        self._session = session
        self.sender = sender_upn.strip()

    def send(self, message: Message) -> None:
        payload = graph_message(message)
        what = f"the {message.category} mail to {len(message.to)} recipient(s) from {self.sender}"
        try:
            self._session.post_json(f"/users/{quote(self.sender, safe='@')}/sendMail", payload, idempotent=False)
        except GraphError as exc:
            raise MailNotSentError(f"Could not send {what}: {exc}") from None
        except TeamsSipError as exc:
            raise MailNotSentError(
                f"Could not send {what}; it may or may not have been delivered, check the sender's mailbox "
                f"before sending again: {exc}"
            ) from None


def graph_message(message: Message) -> dict[str, Any]:
    """The sendMail request body; checks recipients and attachment size first (nothing is sent on error)."""
    bad = [address for address in message.to if not _ADDRESS.match(address)]
    if not message.to:
        raise InputError(f"The {message.category} mail has no recipients: add a contact address and retry.")
    if bad:
        raise InputError(
            f"The {message.category} mail was not sent: {', '.join(repr(b) for b in bad)} "
            "is not an e-mail address. Correct the contact address and retry."
        )
    size = sum(len(a.data) for a in message.attachments)
    if size > MAX_ATTACHMENT_BYTES:
        raise InputError(
            f"The {message.category} mail was not sent: its attachments total {size:,} bytes and Graph takes "
            f"at most {MAX_ATTACHMENT_BYTES:,} per mail. Split the worksheet (fewer devices per site and day)."
        )
    body = (
        {"contentType": "HTML", "content": message.html}
        if message.html
        else {"contentType": "Text", "content": message.text}
    )
    return {
        "message": {
            "subject": message.subject,
            "body": body,
            "toRecipients": [{"emailAddress": {"address": address}} for address in message.to],
            "attachments": [
                {
                    "@odata.type": "#microsoft.graph.fileAttachment",
                    "name": a.name,
                    "contentType": a.content_type,
                    "contentBytes": base64.b64encode(a.data).decode("ascii"),
                }
                for a in message.attachments
            ],
        },
        "saveToSentItems": False,
    }
