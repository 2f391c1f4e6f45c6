"""Issue 24, item 15: validation that no longer lets through what Entra, Teams or the admin's eye would
not: look-alike characters in identifiers, a date with a digit missing, line breaks inside names,
invisible characters shown raw in messages. (UPN characters: tests/test_roster.py.)"""

from __future__ import annotations

import pytest

from teams_sip.domain.identifiers import excerpt, parse_identifier, quoted
from teams_sip.domain.roster import ImportResult
from teams_sip.domain.roster_dates import DateOrder, read_date
from teams_sip.importing.roster_file import load_roster


def _load(*rows: str, header: str = "IPEI,UPN,Site,Display name,Install date") -> ImportResult:
    return load_roster(("\n".join((header, *rows)) + "\n").encode(), "r.csv")


@pytest.mark.parametrize("text", ["0DEA\ufb00BEEF", "0DEADBEEF\uff14", "0DEADBEE\u0192\u0034"])
def test_compatibility_forms_in_an_identifier_are_refused_not_folded(text: str) -> None:
    result = parse_identifier(text)
    assert result.identity is None and result.reason is not None
    assert "not plain digits or letters A-F" in result.reason and "U+" in result.reason


def test_ligature_ipei_row_is_rejected() -> None:
    [row] = _load("0DEADBE\ufb00F4,a@contoso.com,Lyon,,2026-03-17").rows
    assert row.identity is None and "U+FB00" in row.errors[0].message


@pytest.mark.parametrize(("text", "day"), [("2026-03-1", "2026-03-01"), ("2026-3-17", "2026-03-17")])
def test_a_date_with_a_single_digit_part_is_read_with_a_warning(text: str, day: str) -> None:
    reading = read_date(text, DateOrder.AUTO)
    assert reading.value is not None and reading.value.isoformat() == day
    assert "check that no digit is missing" in reading.message


def test_a_full_iso_date_has_no_warning() -> None:
    assert read_date("2026-03-17", DateOrder.AUTO).message == ""


def test_line_breaks_in_site_and_display_names_are_joined_with_a_warning() -> None:
    result = _load('0DEADBEEF4,a@contoso.com,"Paris\nNord","Anna\r\nMartin",2026-03-17',
                   "0004D5F980,b@contoso.com,Paris Nord,Ben,2026-03-17")
    first, second = result.rows
    assert first.site == second.site == "Paris Nord" and first.display_name == "Anna Martin"
    warned = [w.message for w in first.warnings]
    assert any("holds a line break; read as 'Paris Nord'" in m for m in warned)
    assert any("read as 'Anna Martin'" in m for m in warned)
    assert all("\n" not in m for m in warned)  # the break itself is shown escaped


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\u00ad", "\u2028", "\u202e", "\u00a0", "\ue000"])
def test_invisible_characters_are_escaped_in_messages(char: str) -> None:
    assert char not in quoted(f"anna{char}@contoso.com") and f"<U+{ord(char):04X}>" in quoted(f"a{char}")
    assert char not in excerpt(f"x{char}y")
    [row] = _load(f"0DEADBEEF4,anna{char}@contoso.com,Lyon,,2026-03-17").rows
    assert row.errors and all(char not in e.message for e in row.errors)


def test_visible_text_is_unchanged() -> None:
    assert quoted("Zürich Øst – Bâtiment 2") == "'Zürich Øst – Bâtiment 2'"
