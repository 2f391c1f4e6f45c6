import json
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore, FolderNotifier
from teams_sip.errors import InputError
from teams_sip.service.ports.notifier import Attachment, Message


def test_artifacts_round_trip_and_list(tmp_path: Path) -> None:
    store = FolderArtifactStore(tmp_path)
    store.put("worksheets/berlin/2026-03-09.csv", b"a,b\r\n", "text/csv")
    assert store.get("worksheets/berlin/2026-03-09.csv") == b"a,b\r\n"
    assert store.get("worksheets/missing.csv") is None
    assert store.list("worksheets/") == ["worksheets/berlin/2026-03-09.csv"]


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", "a/../../b", "", "a\\..\\b"])
def test_paths_cannot_leave_the_folder(tmp_path: Path, bad: str) -> None:
    store = FolderArtifactStore(tmp_path / "out")
    with pytest.raises(InputError):
        store.put(bad, b"x", "text/plain")
    assert not (tmp_path / "escape.txt").exists()


def test_notifier_writes_message_and_attachments(tmp_path: Path) -> None:
    store = FolderArtifactStore(tmp_path)
    notifier = FolderNotifier(store)
    notifier.send(Message(to=("site@contoso.com",), subject="Worksheet", text="hi", category="worksheet",
                          attachments=(Attachment("sheet.csv", "text/csv", b"x"),)))
    notifier.send(Message(to=("a@contoso.com",), subject="Second", text="t"))
    files = store.list("outbox/")
    assert files == ["outbox/0001-worksheet-sheet.csv", "outbox/0001-worksheet.json", "outbox/0002-general.json"]
    first = json.loads(store.get("outbox/0001-worksheet.json") or b"")
    assert first["to"] == ["site@contoso.com"] and first["attachments"] == ["outbox/0001-worksheet-sheet.csv"]
