import json
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import STAGING, FolderArtifactStore, FolderNotifier
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


def test_writes_are_staged_in_a_folder_of_their_own_that_a_link_cannot_replace(tmp_path: Path) -> None:
    root, outside = tmp_path / "out", tmp_path / "elsewhere"
    outside.mkdir()
    store = FolderArtifactStore(root)
    for n in range(3):
        store.put(f"outbox/{n:04d}-signin.json", b"{}", "application/json")
    staging = root / STAGING
    assert staging.is_dir() and list(staging.iterdir()) == [], "every staged file was renamed into place"
    (staging / ".tmp-left-by-a-crash").write_bytes(b"half")
    assert store.list() == [f"outbox/{n:04d}-signin.json" for n in range(3)]
    with pytest.raises(InputError, match="store's own"):
        store.put(f"{STAGING}/x.json", b"x", "application/json")
    (staging / ".tmp-left-by-a-crash").unlink()
    staging.rmdir()
    staging.symlink_to(outside, target_is_directory=True)  # swapped after the check
    with pytest.raises(InputError, match="leaves the output folder"):
        store.put("outbox/0004-signin.json", b"x", "application/json")
    assert list(outside.iterdir()) == [] and not (root / "outbox" / "0004-signin.json").exists()


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
