"""Roster rules, pure: per-row checks naming row and column, cross-row rules, date rules."""

from datetime import date

import pytest

from teams_sip.domain.roster import AccountType, Field, RowStatus, check_upn, validate_rows
from teams_sip.domain.roster_dates import DateOrder, read_date
from teams_sip.domain.sites import Region

COLUMNS = ((Field.IPEI, "Handset IPEI"), (Field.UPN, "Email"), (Field.SITE, "Location"),
           (Field.INSTALL_DATE, "Install date"), (Field.REGION, "Region"), (Field.ACCOUNT_TYPE, "Account type"),
           (Field.MODEL, "Model"))


def row(n, ipei="0DEADBEEF4", upn="anna@contoso.com", site="HQ", when="2026-03-16", region="EMEA", account="",
        model="Rove 30"):
    return (n, [ipei, upn, site, when, region, account, model])


def check(*rows, order=DateOrder.AUTO):
    checked, resolved, notes = validate_rows(COLUMNS, rows, order)
    return checked, resolved, notes


def test_good_row_is_normalised() -> None:
    (r,), _, _ = check(row(2, upn=" Anna.Berg@Contoso.COM ", region="europe", account="Common area"))
    assert r.status is RowStatus.ACCEPTED and not r.errors and not r.warnings
    assert r.identity is not None and r.identity.hardware_id == "000DEADBEEF4"
    assert r.upn == "anna.berg@contoso.com"
    assert (r.site, r.install_date, r.region) == ("HQ", date(2026, 3, 16), Region.EMEA)
    assert r.account_type is AccountType.COMMON_AREA and r.model == "Rove 30"
    assert r.as_dict() == {"row": 2, "status": "accepted", "hardware_id": "000DEADBEEF4", "errors": [], "warnings": []}


def test_every_problem_names_row_and_column() -> None:
    (r,), _, _ = check(row(7, ipei="0DEADBEEF5 x", upn="anna at contoso", site="", when="next week", region="Mars",
                           account="contractor"))
    assert r.status is RowStatus.REJECTED
    assert {i.column for i in r.errors} == {"Handset IPEI", "Email", "Location", "Install date", "Region",
                                            "Account type"}
    assert all(i.row == 7 for i in r.errors)
    assert "hardware_id" not in r.as_dict()


def test_missing_install_date_is_a_warning_not_an_error() -> None:
    (r,), _, _ = check(row(2, when=""))
    assert r.status is RowStatus.ACCEPTED and r.install_date is None
    assert [w.column for w in r.warnings] == ["Install date"]


def test_same_handset_same_user_is_one_device_with_a_warning() -> None:
    rows, _, _ = check(row(2), row(3, ipei="57005 0782068 7"), row(4, ipei="0004D5F980", upn="ben@contoso.com"))
    assert [r.status for r in rows] == [RowStatus.ACCEPTED] * 3
    assert rows[1].duplicate_of == 2 and "row 2" in rows[1].warnings[0].message
    assert rows[0].duplicate_of is None and not rows[0].warnings


def test_same_handset_two_users_is_an_error_on_both_rows() -> None:
    rows, _, _ = check(row(2), row(5, ipei="57005 0782068 7", upn="ben@contoso.com"), row(6, ipei="0004D5F980"))
    assert [r.status for r in rows] == [RowStatus.REJECTED, RowStatus.REJECTED, RowStatus.ACCEPTED]
    assert "ben@contoso.com (row 5)" in rows[0].errors[0].message
    assert "anna@contoso.com (row 2)" in rows[1].errors[0].message


def test_ipei_and_mac_columns_that_disagree() -> None:
    columns = ((Field.IPEI, "IPEI"), (Field.MAC, "MAC"), (Field.UPN, "UPN"), (Field.SITE, "Site"))
    (agree, differ, neither), _, _ = validate_rows(columns, [
        (2, ["0DEADBEEF4", "00-0D-EA-DB-EE-F4", "a@contoso.com", "HQ"]),
        (3, ["0DEADBEEF4", "00-11-22-33-44-55", "b@contoso.com", "HQ"]),
        (4, ["", " ", "c@contoso.com", "HQ"]),
    ])
    assert agree.status is RowStatus.ACCEPTED
    assert differ.status is RowStatus.REJECTED and differ.errors[0].column == "MAC"
    assert neither.errors[0].message == "no handset identifier" and neither.errors[0].column == "IPEI or MAC"


@pytest.mark.parametrize(("text", "ok"), [("a@contoso.com", True), ("first.last_x@sub.contoso.co.uk", True),
                                          ("o'brien-j!#^~@contoso.com", True), ("a.@contoso.com", False),
                                          ("a@b", False), ("a@@contoso.com", False), ("a b@contoso.com", False),
                                          (".a@contoso.com", False), ("Anna <a@contoso.com>", False), ("", False),
                                          ("x" * 65 + "@contoso.com", False)])
def test_upn_syntax(text: str, ok: bool) -> None:
    upn, reason = check_upn(text)
    assert (upn is not None) == ok and (reason is None) == ok


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2026-03-04", DateOrder.AUTO, date(2026, 3, 4)),
    ("2026-03-04 00:00:00", DateOrder.AUTO, date(2026, 3, 4)),  # a real Excel date, read as text
    ("04.03.2026", DateOrder.MONTH_FIRST, date(2026, 3, 4)),  # dotted dates are always day-first
    ("4 Mar 2026", DateOrder.AUTO, date(2026, 3, 4)),
    ("March 4, 2026", DateOrder.AUTO, date(2026, 3, 4)),
    ("25/03/2026", DateOrder.AUTO, date(2026, 3, 25)),
    ("03/25/2026", DateOrder.AUTO, date(2026, 3, 25)),
    ("03/04/2026", DateOrder.DAY_FIRST, date(2026, 4, 3)),
    ("03/04/2026", DateOrder.MONTH_FIRST, date(2026, 3, 4)),
    ("04/04/2026", DateOrder.AUTO, date(2026, 4, 4)),
    ("46085", DateOrder.AUTO, date(2026, 3, 4)),  # Excel serial number
])
def test_dates_read(text: str, order: DateOrder, expected: date) -> None:
    assert read_date(text, order).value == expected


@pytest.mark.parametrize(("text", "order"), [("03/04/2026", DateOrder.AUTO), ("31/02/2026", DateOrder.DAY_FIRST),
                                             ("25/03/2026", DateOrder.MONTH_FIRST), ("3/4/26", DateOrder.DAY_FIRST),
                                             ("soon", DateOrder.AUTO), ("2026-02-30", DateOrder.AUTO)])
def test_dates_refused_with_reason(text: str, order: DateOrder) -> None:
    reading = read_date(text, order)
    assert reading.value is None and reading.message


def test_file_evidence_decides_ambiguous_dates() -> None:
    rows, resolved, notes = check(row(2, when="03/04/2026"), row(3, when="25/03/2026", ipei="0004D5F980"))
    assert resolved is DateOrder.DAY_FIRST and "row 3" in notes[0]
    assert rows[0].install_date == date(2026, 4, 3)


def test_mixed_evidence_rejects_only_ambiguous_dates() -> None:
    rows, resolved, notes = check(row(2, when="03/04/2026"), row(3, when="25/03/2026", ipei="0004D5F980"),
                                  row(4, when="03/25/2026", ipei="03717C0E0A"))
    assert resolved is DateOrder.AUTO and "mixed" in notes[0]
    assert [r.status for r in rows] == [RowStatus.REJECTED, RowStatus.ACCEPTED, RowStatus.ACCEPTED]


def test_validation_is_deterministic() -> None:
    rows = [row(2), row(3, upn="ben@contoso.com"), row(4, ipei="bad")]
    assert check(*rows) == check(*rows)


@pytest.mark.parametrize("char", [*"=+$%&*/?`{|}", "\\"])
def test_upn_characters_entra_refuses_are_refused_by_name(char: str) -> None:
    upn, reason = check_upn(f"anna{char}x@contoso.com")
    assert upn is None and reason is not None
    assert f"{char} cannot be in the part before the @" in reason


def test_upn_domain_over_48_characters_is_too_long() -> None:
    assert check_upn("a@" + "d" * 45 + ".com")[0] is None
    assert check_upn("a@" + "d" * 40 + ".com")[0] is not None
