"""The embedded defaults: artefacts as files under one root folder, mail as files in `outbox/`.

Paths are relative and checked, so a site name or a request can never write outside the root.
Writes go to a temporary file first and are renamed, so a reader never sees half a worksheet.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from teams_sip.errors import InputError
from teams_sip.service.ports.notifier import NOT_SENT, ArtifactStore, Message


class FolderArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._folders: dict[PurePosixPath, Path] = {}  # checked (and created) folders: a pass writes thousands of files

    def _relative(self, path: str) -> PurePosixPath:
        relative = PurePosixPath(path)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts or "\\" in path:
            raise InputError(f"refused artefact path {path!r}: it must be relative and stay in the folder")
        return relative

    def _inside(self, target: Path, path: str) -> Path:
        """`target` with every link followed, refused unless it stays under the root."""
        resolved = target.resolve()
        if not resolved.is_relative_to(self.root):
            raise InputError(f"refused artefact path {path!r}: it leaves the output folder")
        return resolved

    def _resolve(self, path: str) -> Path:
        relative = self._relative(path)
        return self._inside(self.root / Path(*relative.parts), path)

    def _folder(self, relative: PurePosixPath, path: str) -> Path:
        """The file's folder, created and checked once (links followed); the file itself is then
        replaced by rename, which never follows a link, so it cannot write outside either."""
        folder = self._folders.get(relative.parent)
        if folder is None or not _real_folder(folder):
            target = self.root / Path(*relative.parent.parts)
            target.mkdir(parents=True, exist_ok=True)
            folder = self._folders[relative.parent] = self._inside(target, path)
        return folder

    def put(self, path: str, data: bytes, content_type: str) -> str:
        relative = self._relative(path)
        target = self._folder(relative, path) / relative.name
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(target)

    def get(self, path: str) -> bytes | None:
        target = self._resolve(path)
        return target.read_bytes() if target.is_file() else None

    def list(self, prefix: str = "") -> list[str]:
        if not self.root.exists():
            return []
        found = (p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        return sorted(p for p in found if p.startswith(prefix) and not p.rsplit("/", 1)[-1].startswith(".tmp-"))


class FolderNotifier:
    """Writes each message as `outbox/NNNN-<category>.json` plus its attachments beside it; a batch
    (`send_many`) as one `outbox/NNNN-<category>-batch.json` holding its messages in order, so a pass
    that sends thousands of notices writes tens of files (`outbox_messages` reads both back)."""

    def __init__(self, artifacts: ArtifactStore) -> None:
        self._artifacts = artifacts
        self._lock = threading.Lock()
        self._sent: int | None = None  # counted once from the folder, then kept: listing per mail is quadratic

    def _next(self) -> int:
        if self._sent is None:
            self._sent = len([p for p in self._artifacts.list("outbox/") if p.endswith(".json")])
        self._sent += 1
        return self._sent

    def _record(self, message: Message, base: str) -> dict[str, object]:
        names = []
        for attachment in message.attachments:
            name = f"{base}-{attachment.name}"
            self._artifacts.put(name, attachment.data, attachment.content_type)
            names.append(name)
        return {"to": list(message.to), "subject": message.subject, "text": message.text, "html": message.html,
                "attachments": names}

    def send(self, message: Message) -> None:
        with self._lock:
            base = f"outbox/{self._next():04d}-{message.category}"
            record = self._record(message, base)
            self._artifacts.put(f"{base}.json", json.dumps(record, indent=2).encode(), "application/json")

    def send_many(self, messages: Sequence[Message]) -> list[Exception | None]:
        """The batch as one file (attachments beside it): a failed write is every message's error,
        and none of them is in the outbox."""
        if not messages:
            return []
        categories = {m.category for m in messages}
        try:
            with self._lock:
                base = f"outbox/{self._next():04d}-{categories.pop() if len(categories) == 1 else 'general'}-batch"
                records = [self._record(m, f"{base}-{n:04d}") for n, m in enumerate(messages, 1)]
                data = json.dumps({"messages": records}, ensure_ascii=False).encode()
                self._artifacts.put(f"{base}.json", data, "application/json")
        except NOT_SENT as exc:
            return [exc] * len(messages)
        return [None] * len(messages)


def outbox_messages(artifacts: ArtifactStore) -> list[dict[str, Any]]:
    """Every message in the outbox in the order sent, each batch file read back as its messages."""
    out: list[dict[str, Any]] = []
    for path in sorted(artifacts.list("outbox/"), key=_sent_number):
        if path.endswith(".json"):
            data = json.loads(artifacts.get(path) or b"{}")
            out.extend(data["messages"] if path.endswith("-batch.json") else [data])
    return out


def _sent_number(path: str) -> tuple[int, str]:
    """Numbers past 9999 are wider, so the outbox's order is the number's, not the name's."""
    number = path.removeprefix("outbox/").split("-", 1)[0]
    return (int(number) if number.isdigit() else 0), path


def _real_folder(folder: Path) -> bool:
    """Still a folder, not a link put in its place since it was checked."""
    try:
        return stat.S_ISDIR(os.lstat(folder).st_mode)
    except OSError:
        return False
