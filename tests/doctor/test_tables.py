"""The doctor's permission table is README's, and its scrubber removes values from free text."""

from __future__ import annotations

import re
from pathlib import Path

from teams_sip.service.doctor.findings import scrub
from teams_sip.service.doctor.signin import PERMISSIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_permissions_match_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("| Graph application permission | why |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| ([A-Za-z.]+) \|", table, flags=re.MULTILINE)
    assert set(rows) == set(PERMISSIONS)


def test_scrub_removes_ids_addresses_tokens_and_numbers() -> None:
    text = ("AADSTS7000215 for 3f2a1b4c-1111-4222-8333-944455556666 (anna.berg@contoso.com) "
            "token eyJhbGciOi.eyJzdWIiOi.c2ln at +46 8 123 456 78")
    assert scrub(text) == "AADSTS7000215 for <id> (<address>) token <token> at <number>"
