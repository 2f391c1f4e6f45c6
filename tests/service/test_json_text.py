"""Reports stay JSON a program reads back exactly and a person reads a line per item."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from teams_sip.service.json_text import readable_json


def test_reads_back_as_the_same_body_with_a_line_per_field_and_per_list_item() -> None:
    changes = [{"hardware_id": f"0{n}", "to": "code_issued", "cause": "install day"} for n in range(3)]
    body = {"generated_at": "2026-03-09T10:00:00+00:00", "by_state": {"registered": 2}, "changes": changes,
            "needs_person": [], "signin": ["Jürgen Groß: sign in at aka.ms/siplogin"], "execution": None}
    text = readable_json(body).decode()
    assert json.loads(text) == body
    lines = text.splitlines()
    assert len(lines) == 2 + len(body) + len(changes) + 1 + 2  # braces, fields, list items, two lists' ends
    assert '  {"hardware_id": "01", "to": "code_issued", "cause": "install day"},' in lines
    assert "Jürgen Groß" in text  # names stay readable, not \\u-escaped


def test_values_json_cannot_encode_are_written_as_text() -> None:
    at = datetime(2026, 3, 9, 10, tzinfo=UTC)
    assert json.loads(readable_json({"at": at, "items": [at]})) == {"at": str(at), "items": [str(at)]}
