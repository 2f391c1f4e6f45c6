"""How the service tells people things (worksheets, sign-in instructions, escalations) and where it
keeps the files it produces. Mail goes through Graph in a tenant; locally both land in a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


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


class ArtifactStore(Protocol):
    """Files the service writes (imports, worksheets, TAC upload files, bulk sign-in batches)."""

    def put(self, path: str, data: bytes, content_type: str) -> str:
        """Store under a relative path and answer where it went (a file path or blob URL)."""
        ...

    def get(self, path: str) -> bytes | None: ...

    def list(self, prefix: str = "") -> list[str]: ...
