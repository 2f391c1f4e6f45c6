"""`make demo` is the contract with every new user: the example rollout must reach its end state."""

import json
import re
from pathlib import Path

import pytest

from teams_sip.adapters.notify.folder import FolderArtifactStore, outbox_messages
from teams_sip.demo import run_demo


@pytest.mark.slow
def test_demo_takes_the_example_roster_through_the_install_week(tmp_path: Path) -> None:
    story: list[tuple[str, str]] = []
    assert run_demo(tmp_path / "demo", echo=lambda title, body: story.append((title, body))) == 0
    text = "\n".join(f"{t}\n{b}" for t, b in story)
    out = tmp_path / "demo"
    report = json.loads((out / "reports" / "latest.json").read_text())
    assert report["by_state"] == {"blocked": 1, "signed_in": 8}
    assert "code renewed (1)" in text  # Ben's first code lapsed and was replaced inside the window
    assert "waiting_for_policy" in text and "Grant-CsTeamsCallingPolicy -Identity 'emma.jones@contoso.com'" in text
    assert "signed in as lobby.phone@contoso.com" in text  # the common-area account, by bulk sign-in
    assert list(out.glob("signin/*/*.ps1")) and list(out.glob("worksheets/*/*/worksheet.html"))
    mails = outbox_messages(FolderArtifactStore(out))
    assert any("aka.ms/siplogin" in m["text"] for m in mails)
    # Codes appear in worksheets only: never in the story printed to the console, reports or mails' text.
    codes = {line["code"] for p in out.glob("worksheets/*/*/lines.json") for line in json.loads(p.read_text())}
    assert codes
    assert not any(code in text for code in codes)
    assert not re.search(r"\*55\*\d", text)
    reports = " ".join(p.read_text() for p in (out / "reports").glob("*.json"))
    assert not any(code in reports for code in codes)


@pytest.mark.slow
def test_the_assisted_demo_ends_true_with_the_teamwork_listing_retired(tmp_path: Path) -> None:
    story: list[tuple[str, str]] = []
    assert run_demo(tmp_path / "demo", echo=lambda title, body: story.append((title, body)), assisted=True) == 0
    text = "\n".join(f"{t}\n{b}" for t, b in story)
    report = json.loads((tmp_path / "demo" / "reports" / "latest.json").read_text())
    assert report["by_state"] == {"blocked": 1, "signed_in": 8}
    assert any(n.startswith("inventory: teamwork devices unavailable since") for n in report["notes"])
    assert "(sign-in logs, " in text  # personal users, learnt from the Entra sign-in logs
    assert "signed in as lobby.phone@contoso.com (bulk sign-in results, " in text
    assert "(technician, " in text  # dialled handsets, by the technician's word
    assert not re.search(r"\*55\*\d", text)
