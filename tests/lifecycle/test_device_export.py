"""The admin center's SIP device export, read by what its headers mean (its layout is undocumented)."""

from __future__ import annotations

import pytest

from teams_sip.domain.lifecycle.device_export import read_device_export
from teams_sip.domain.lifecycle.evidence import Said, Source
from teams_sip.errors import InputError

from .support import utc

NOW = utc(2026, 5, 6, 9)
KNOWN = {"0003717C0E0A": None, "0003717C0E0B": None, "001122334455": None}


@pytest.mark.parametrize("header", [
    ["MAC address", "Username", "Sign-in status", "Last seen"],
    ["Hardware ID", "User principal name", "Status", "Last seen (UTC)"],
    ["mac_address", "signed in user", "State", "Last activity"],
])
def test_headers_are_matched_by_meaning(header: list[str]) -> None:
    rows = [["00-03-71-7C-0E-0A", "ana@contoso.example", "Signed in", "2026-05-06T08:00:00Z"],
            ["0003717c0e0b", "", "Signed out", ""],
            ["00:11:22:33:44:55", "", "Waiting on activation", ""],
            ["AA-BB-CC-DD-EE-FF", "x@contoso.example", "Signed in", ""]]
    export = read_device_export(header, rows, KNOWN, NOW)
    said = {s.hardware_id: (s.evidence.source, s.evidence.said, s.evidence.user, s.evidence.at)
            for s in export.statements}
    assert said == {"0003717C0E0A": (Source.ADMIN_EXPORT, Said.SIGNED_IN, "ana@contoso.example", NOW),
                    "0003717C0E0B": (Source.ADMIN_EXPORT, Said.ACTIVATED, None, NOW)}
    assert export.ignored == 2 and export.errors == ()  # waiting on activation says nothing; one unknown device
    assert export.statements[0].evidence.detail == "last seen 2026-05-06T08:00:00+00:00"


def test_an_unknown_layout_is_refused_listing_its_headers() -> None:
    with pytest.raises(InputError, match="Headers found: 'Name', 'Firmware'"):
        read_device_export(["Name", "Firmware"], [["a", "b"]], KNOWN, NOW)
    with pytest.raises(InputError, match="MAC address"):
        read_device_export(["MAC address", "Model"], [], KNOWN, NOW)  # no status and no user: nothing to learn


def test_without_a_status_column_the_user_says_signed_in_or_out() -> None:
    export = read_device_export(["MAC", "User"], [["0003717C0E0A", "ana@contoso.example"], ["0003717C0E0B", ""]],
                                KNOWN, NOW)
    assert [s.evidence.said for s in export.statements] == [Said.SIGNED_IN, Said.ACTIVATED]


def test_bad_rows_are_reported_and_change_nothing() -> None:
    export = read_device_export(["MAC address", "Status"], [["not-a-mac", "Signed in"], ["0003717C0E0A", "Sleeping"],
                                                            ["0003717C0E0B", "signedIn"]], KNOWN, NOW)
    assert [(e.row, e.column) for e in export.errors] == [(2, "MAC address"), (3, "Status")]
    assert "unknown status 'Sleeping'" in export.errors[1].message
    assert [s.hardware_id for s in export.statements] == ["0003717C0E0B"]
