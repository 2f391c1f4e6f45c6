"""Issue 24, items 5 and 8 and the other workbook formats: the first visible sheet is read (or the one
the admin names), every refusal names the sheets, hidden and filtered rows are left out and listed,
shared strings are bounded before calamine reads them, and .xls, .xlsb and .ods are read under the
same bounds as .xlsx."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from teams_sip.domain.roster import ImportRefused, ImportResult
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.roster_file import load_roster
from tests.faults.corpus import GOOD, sheet_xml, workbook_parts
from tests.fixtures.workbooks import ods, xls_fixture, xlsb

HEADER = ["IPEI", "UPN", "Site"]
ROSTER = [HEADER, ["0DEADBEEF4", "anna@contoso.com", "Lyon"], ["0004D5F980", "ben@contoso.com", "Lyon"]]
STALE = [HEADER, ["03717C0E0A", "stale@contoso.com", "Lyon"]]


def _xlsx(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _two_sheets(first_hidden: bool) -> bytes:
    book = Workbook()
    stale = book.active
    assert stale is not None
    stale.title = "Old roster"
    for row in STALE:
        stale.append(row)
    if first_hidden:
        stale.sheet_state = "hidden"
    current = book.create_sheet("Handsets")
    for row in ROSTER:
        current.append(row)
    book.active = 1
    return _xlsx(book)


def _upns(result: ImportResult) -> list[str | None]:
    return [r.upn for r in result.accepted]


def test_a_hidden_first_sheet_is_not_read() -> None:
    result = load_roster(_two_sheets(first_hidden=True), "r.xlsx")
    assert result.info.sheet == "Handsets" and _upns(result) == ["anna@contoso.com", "ben@contoso.com"]


def test_the_admin_picks_a_sheet_and_refusals_name_the_sheets() -> None:
    data = _two_sheets(first_hidden=False)
    assert _upns(load_roster(data, "r.xlsx", ImportOptions(sheet="handsets"))) == ["anna@contoso.com",
                                                                                  "ben@contoso.com"]
    with pytest.raises(ImportRefused) as missing:
        load_roster(data, "r.xlsx", ImportOptions(sheet="Roster 2026"))
    assert "no sheet named 'Roster 2026'" in str(missing.value)
    assert "'Old roster'" in str(missing.value) and "'Handsets'" in str(missing.value)
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Read me"
    notes.append(["This workbook lists the handsets on its second sheet."])
    second = book.create_sheet("Handsets")
    for row in ROSTER:
        second.append(row)
    with pytest.raises(ImportRefused) as refused:  # the header is not on the sheet read: say where to look
        load_roster(_xlsx(book), "r.xlsx")
    assert "'Read me' (read)" in str(refused.value) and "'Handsets'" in str(refused.value)
    assert "--sheet NAME" in str(refused.value)


def test_hidden_and_filtered_rows_are_left_out_and_listed() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [*ROSTER, ["03717C0E0A", "cleo@contoso.com", "Oslo"]]:
        sheet.append(row)
    sheet.auto_filter.ref = "A1:C4"
    sheet.row_dimensions[4].hidden = True  # Oslo filtered away
    sheet.row_dimensions[3].hidden = True  # Ben hidden by hand
    result = load_roster(_xlsx(book), "r.xlsx")
    assert _upns(result) == ["anna@contoso.com"]
    [note] = [n for n in result.info.notes if "not imported" in n]
    assert "2 row(s) filtered out or hidden" in note and "rows 3, 4" in note


def _shared_strings(body: bytes) -> bytes:
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for part, content in workbook_parts(sheet_xml([HEADER, GOOD.split(",")])):
            zf.writestr(part, content)
        info = zipfile.ZipInfo("xl/sharedStrings.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as handle:
            handle.write(head)
            handle.write(body)
            handle.write(b"</sst>")
    return buffer.getvalue()


def test_one_huge_shared_string_is_refused_before_it_is_read() -> None:
    data = _shared_strings(b"<si><t>" + b"A" * (150 * MB) + b"</t></si>")
    assert len(data) < 2 * MB  # small on the wire, 150 MB once unpacked (calamine needed ~675 MB)
    started = time.monotonic()
    with pytest.raises(ImportRefused, match="more than 1,024 KB of text"):
        load_roster(data, "r.xlsx")
    assert time.monotonic() - started < 5


def test_too_many_shared_strings_are_refused() -> None:
    options = ImportOptions(max_shared_strings=1_000)
    with pytest.raises(ImportRefused, match="more than 1,000 distinct texts"):
        load_roster(_shared_strings(b"<si><t>x</t></si>" * 1_001), "r.xlsx", options)
    with pytest.raises(ImportRefused, match="more than 1 MB of text"):
        load_roster(_shared_strings(b"<si><t>xx</t></si>" * 70_000), "r.xlsx",
                    ImportOptions(max_shared_string_bytes=MB))


@pytest.mark.parametrize("name", ["roster.xls", "hidden-first-sheet.xls"])
def test_old_xls_workbooks_are_read(name: str) -> None:
    result = load_roster(xls_fixture(name), name)
    assert result.info.format == "xls" and result.info.sheet == "Roster"
    assert _upns(result) == ["anna@contoso.com", "ben@contoso.com"]


def test_xlsb_and_ods_workbooks_are_read_from_their_first_visible_sheet() -> None:
    for name, data in (("r.xlsb", xlsb([("Old", STALE), ("Roster", ROSTER)], hidden=["Old"])),
                       ("r.ods", ods([("Roster", ROSTER), ("Notes", [["x"]])]))):
        result = load_roster(data, name)
        assert result.info.format == name[2:] and result.info.sheet == "Roster", name
        assert _upns(result) == ["anna@contoso.com", "ben@contoso.com"], name


FAR_ODS_ROWS = ('<table:table-row table:number-rows-repeated="5000000"><table:table-cell office:value-type="string">'
                "<text:p>x</text:p></table:table-cell></table:table-row>")
TRAILING_EMPTY = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                  'table:number-columns-repeated="1024"/></table:table-row>')  # what LibreOffice writes


@pytest.mark.parametrize(("name", "make"), [
    ("far-cell.xls", lambda: xls_fixture("far-cell.xls")),  # 5.6 KB; 37 s and 1.5 GB to read unbounded
    ("far.xlsb", lambda: xlsb([("Roster", ROSTER)], far_cell=(1_000_000, 16_000))),
    ("dimension.xlsb", lambda: xlsb([("Roster", ROSTER)], dimension=(1_048_576, 16_384))),
    ("rows.ods", lambda: ods([("Roster", ROSTER)], tail=FAR_ODS_ROWS)),
])
def test_far_cells_in_other_formats_are_refused_before_reading(name: str, make: Callable[[], bytes]) -> None:
    started = time.monotonic()
    with pytest.raises(ImportRefused, match="beyond the bound of 100,000 rows"):
        load_roster(make(), name)
    assert time.monotonic() - started < 2


def test_libreoffice_trailing_empty_rows_are_fine() -> None:
    assert _upns(load_roster(ods([("Roster", ROSTER)], tail=TRAILING_EMPTY), "r.ods")) == ["anna@contoso.com",
                                                                                           "ben@contoso.com"]


def test_an_xlsb_is_not_refused_as_macros_but_a_name_that_lies_is_refused() -> None:
    assert load_roster(xlsb([("Roster", ROSTER)]), "r.xlsb").summary["accepted"] == 2
    with pytest.raises(ImportRefused, match=r"not a valid \.ods workbook"):
        load_roster(b"IPEI,UPN,Site\n", "r.ods")


def test_hidden_rows_of_xls_xlsb_and_ods_are_left_out_and_listed() -> None:
    rows = [*ROSTER, ["03717C0E0A", "cleo@contoso.com", "Oslo"]]
    for name, data, hidden in (("r.xls", xls_fixture("hidden-row.xls"), "rows 3"),
                               ("r.xlsb", xlsb([("Old", STALE), ("Roster", rows)], hidden=["Old"],
                                               hidden_rows=[3, 4]), "rows 3, 4"),
                               ("r.ods", ods([("Roster", rows)], hidden=[(3, "collapse"), (4, "filter")]),
                                "rows 3, 4")):
        result = load_roster(data, name)
        assert _upns(result) == ["anna@contoso.com"], name
        assert any("not imported" in n and hidden in n for n in result.info.notes), (name, result.info.notes)
