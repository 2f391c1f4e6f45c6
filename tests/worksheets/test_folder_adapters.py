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


def test_a_link_in_the_folder_cannot_lead_writes_outside(tmp_path: Path) -> None:
    root, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    store = FolderArtifactStore(root)
    store.put("worksheets/a.csv", b"x", "text/csv")  # the folder is checked and remembered
    (root / "linked").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="leaves the output folder"):
        store.put("linked/b.csv", b"x", "text/csv")
    (root / "worksheets" / "a.csv").unlink()
    (root / "worksheets").rmdir()
    (root / "worksheets").symlink_to(outside, target_is_directory=True)  # swapped after the check
    with pytest.raises(InputError, match="leaves the output folder"):
        store.put("worksheets/c.csv", b"x", "text/csv")
    assert list(outside.iterdir()) == []


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
