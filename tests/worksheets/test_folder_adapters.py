import json
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore, FolderNotifier, outbox_messages
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


def test_a_batch_is_one_file_read_back_in_order_between_single_mails(tmp_path: Path) -> None:
    store = FolderArtifactStore(tmp_path)
    notifier = FolderNotifier(store)
    notifier.send(Message(to=("first@contoso.com",), subject="Before", text="t"))
    batch = [Message(to=(f"u{n}@contoso.com",), subject=f"Notice {n}", text="sign in", category="signin")
             for n in range(3)]
    assert notifier.send_many(batch) == [None, None, None]
    assert notifier.send_many([]) == []
    notifier.send(Message(to=("last@contoso.com",), subject="After", text="t"))
    assert store.list("outbox/") == ["outbox/0001-general.json", "outbox/0002-signin-batch.json",
                                     "outbox/0003-general.json"]
    assert [m["subject"] for m in outbox_messages(store)] == ["Before", "Notice 0", "Notice 1", "Notice 2", "After"]


def test_a_batch_that_cannot_be_written_fails_every_message_and_leaves_nothing(tmp_path: Path) -> None:
    store = FolderArtifactStore(tmp_path)
    notifier = FolderNotifier(store)
    (tmp_path / "outbox").write_text("a file where the folder should be")
    errors = notifier.send_many([Message(to=("a@contoso.com",), subject="s", text="t")] * 2)
    assert len(errors) == 2 and all(isinstance(e, OSError) for e in errors)
    assert outbox_messages(store) == []


def test_the_outbox_reads_in_sending_order_past_9999_mails(tmp_path: Path) -> None:
    store = FolderArtifactStore(tmp_path)
    store.put("outbox/9999-general.json", json.dumps({"subject": "earlier"}).encode(), "application/json")
    store.put("outbox/10000-general.json", json.dumps({"subject": "later"}).encode(), "application/json")
    assert [m["subject"] for m in outbox_messages(store)] == ["earlier", "later"]
