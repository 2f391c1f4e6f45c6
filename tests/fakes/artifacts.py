"""ArtifactStore and Notifier in memory."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import PurePosixPath

from teams_sip.errors import InputError, TeamsSipError
from teams_sip.service.ports.notifier import Message, SendsOneByOne


class MemoryArtifactStore:
    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _checked(path: str) -> str:
        parts = PurePosixPath(path).parts
        if not parts or path.startswith("/") or ".." in parts or "\\" in path:
            raise InputError(f"refused artefact path {path!r}: it must be relative and stay in the folder")
        return "/".join(parts)

    def put(self, path: str, data: bytes, content_type: str) -> str:
        clean = self._checked(path)
        with self._lock:
            self._files[clean] = (bytes(data), content_type)
        return f"memory://{clean}"

    def get(self, path: str) -> bytes | None:
        clean = self._checked(path)
        with self._lock:
            found = self._files.get(clean)
        return None if found is None else found[0]

    def list(self, prefix: str = "") -> list[str]:
        with self._lock:
            return sorted(p for p in self._files if p.startswith(prefix))


class MemoryNotifier(SendsOneByOne):
    """Keeps every message it was given; `refuse` names recipients whose mail is not delivered."""

    def __init__(self, refuse: Sequence[str] = ()) -> None:
        self.sent: list[Message] = []
        self.refuse = set(refuse)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        refused = self.refuse.intersection(message.to)
        if refused:
            raise TeamsSipError(f"mail to {', '.join(sorted(refused))} was not delivered")
        with self._lock:
            self.sent.append(message)
