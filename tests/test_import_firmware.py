"""Model and firmware columns are checked against the minimum-firmware table during import, so a
handset below the minimum is stopped before any code is issued."""

from teams_sip.domain.roster import RowStatus
from teams_sip.importing.roster_file import load_roster

CSV = (
    "IPEI,UPN,Site,Install date,Model,Handset firmware,Base firmware\n"
    "0DEADBEEF4,a@contoso.com,Lyon,2026-03-16,Poly Rove 20,8.0.5.0002,8.0.5.0002\n"
    "0004D5F980,b@contoso.com,Lyon,2026-03-16,Poly Rove 30,8.0.5.2,8.0.10.0001\n"
    "03717C0E0A,c@contoso.com,Lyon,2026-03-16,Acme Phone 9,1.0,\n"
    "0000312FD1,d@contoso.com,Lyon,2026-03-16,,,\n"
)


def test_firmware_findings_become_row_errors_and_warnings() -> None:
    rows = load_roster(CSV.encode(), "roster.csv").rows
    below, ok, unknown, blank = rows
    assert below.status is RowStatus.REJECTED
    assert any("8.0.5.0003" in e.message and e.column == "Model" for e in below.errors)
    assert ok.status is RowStatus.ACCEPTED and not ok.warnings
    assert unknown.status is RowStatus.ACCEPTED
    assert any("Acme Phone 9" in w.message for w in unknown.warnings)
    assert blank.status is RowStatus.ACCEPTED and not blank.warnings


def test_desk_phones_are_not_checked_against_the_dect_table() -> None:
    csv = "MAC,UPN,Site,Install date,Model\n00:04:F2:AB:CD:01,a@contoso.com,Chicago,2026-03-18,Poly Edge E220\n"
    [row] = load_roster(csv.encode(), "desk.csv").rows
    assert row.status is RowStatus.ACCEPTED and not row.warnings
