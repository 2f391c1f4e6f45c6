"""The ArtifactStore and Notifier contracts, run unchanged on the folder adapters (the embedded
defaults) and on the in-memory fakes (tests/fakes/artifacts.py) the service tests use."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore, FolderNotifier, outbox_messages
from teams_sip.errors import InputError
from teams_sip.service.ports.notifier import ArtifactStore, Attachment, Message, Notifier
from tests.fakes.artifacts import MemoryArtifactStore, MemoryNotifier


@pytest.fixture(params=["memory", "folder"])
def artifacts(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStore:
    return MemoryArtifactStore() if request.param == "memory" else FolderArtifactStore(tmp_path / "out")


def test_put_get_list_round_trip(artifacts: ArtifactStore) -> None:
    artifacts.put("worksheets/lyon/lines.json", b"[1]", "application/json")
    artifacts.put("worksheets/lyon/sheet.html", b"<p>", "text/html")
    artifacts.put("reports/latest.json", b"{}", "application/json")
    assert artifacts.get("worksheets/lyon/lines.json") == b"[1]"
    assert artifacts.get("worksheets/oslo/lines.json") is None
    assert artifacts.list("worksheets/") == ["worksheets/lyon/lines.json", "worksheets/lyon/sheet.html"]
    assert artifacts.list() == ["reports/latest.json", "worksheets/lyon/lines.json", "worksheets/lyon/sheet.html"]
    artifacts.put("reports/latest.json", b'{"v": 2}', "application/json")
    assert json.loads(artifacts.get("reports/latest.json") or b"") == {"v": 2}, "a put replaces"


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.txt", "a/../../b", ""])
def test_paths_that_leave_the_store_are_refused_and_nothing_is_written(artifacts: ArtifactStore, bad: str) -> None:
    with pytest.raises(InputError):
        artifacts.put(bad, b"x", "text/plain")
    assert artifacts.list() == []


@pytest.fixture(params=["memory", "folder"])
def mail(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Notifier, Callable[[], list[tuple[str, ...]]]]:
    """A notifier and what it delivered, as (recipients..., subject)."""
    if request.param == "memory":
        fake = MemoryNotifier()
        return fake, lambda: [(*m.to, m.subject) for m in fake.sent]
    store = FolderArtifactStore(tmp_path / "out")
    return FolderNotifier(store), lambda: [(*m["to"], m["subject"]) for m in outbox_messages(store)]


def test_messages_are_delivered_once_each_in_order(mail: tuple[Notifier, Callable[[], list[tuple[str, ...]]]]) -> None:
    notifier, delivered = mail
    notifier.send(Message(to=("it-lyon@contoso.com",), subject="worksheet", text="codes",
                          attachments=(Attachment("sheet.html", "text/html", b"<p>"),), category="worksheet"))
    answers = notifier.send_many([Message(to=(f"user{n}@contoso.com",), subject=f"sign in {n}", text="go")
                                  for n in range(3)])
    assert answers == [None, None, None]
    assert notifier.send_many([]) == []
    assert delivered() == [("it-lyon@contoso.com", "worksheet"), *((f"user{n}@contoso.com", f"sign in {n}")
                                                                   for n in range(3))]
