"""How the service tells people things (worksheets, sign-in instructions, escalations) and where it
keeps the files it produces. Mail goes through Graph in a tenant; locally both land in a folder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from teams_sip.errors import TeamsSipError

NOT_SENT = (TeamsSipError, OSError)
"""What a notifier raises for a message it did not deliver (send) or answers for it (send_many)."""


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Message:
    to: tuple[str, ...]
    subject: str
    text: str = field(repr=False)
    html: str | None = field(default=None, repr=False)
    attachments: tuple[Attachment, ...] = ()
    category: str = "general"


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Deliver or raise; a failed send must not be reported as delivered."""
        ...

    def send_many(self, messages: Sequence[Message]) -> list[Exception | None]:
        """Each message delivered (None) or why not (the error `send` would raise), in order; still
        one mail per message. A pass sends thousands of sign-in notices: an outbox kept as files
        writes a batch as one file instead of thousands."""
        ...


class SendsOneByOne:
    """`send_many` for a notifier that gains nothing from a batch: each message sent in turn."""

    def send(self, message: Message) -> None:
        raise NotImplementedError

    def send_many(self, messages: Sequence[Message]) -> list[Exception | None]:
        return [_sent(self, message) for message in messages]


def _sent(notifier: SendsOneByOne, message: Message) -> Exception | None:
    try:
        notifier.send(message)
    except NOT_SENT as exc:
        return exc
    return None


class ArtifactStore(Protocol):
    """Files the service writes (imports, worksheets, TAC upload files, bulk sign-in batches)."""

    def put(self, path: str, data: bytes, content_type: str) -> str:
        """Store under a relative path and answer where it went (a file path or blob URL)."""
        ...

    def get(self, path: str) -> bytes | None: ...

    def list(self, prefix: str = "") -> list[str]: ...
