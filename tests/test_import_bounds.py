"""File-level bounds and refusals found by the bad-spreadsheet corpus: real XLSX cell references,
damaged zip members, empty rosters, ragged title lines, wide and blank-padded CSVs, Excel's `sep=`
line, mixed encodings, and messages that stay short and say what to fix."""

import io
import zipfile

import pytest

from teams_sip.domain.roster import ImportRefused, RowStatus
from teams_sip.importing.options import MB, ImportOptions
from teams_sip.importing.roster_file import load_roster
from teams_sip.importing.sheet_bounds import Extent, sheet_extent
from tests.faults.corpus import _SHEET_HEAD, good_xlsx, workbook_parts, zip_parts

HEAD = ('<row r="1"><c r="A1" t="inlineStr"><is><t>IPEI</t></is></c><c r="B1" t="inlineStr"><is><t>UPN</t></is></c>'
        '</row><row r="2"><c r="A2" t="inlineStr"><is><t>0DEADBEEF4</t></is></c><c r="B2" t="inlineStr"><is>'
        '<t>a@contoso.com</t></is></c></row>')


def book(cells: str) -> bytes:
    return zip_parts(workbook_parts(f"{_SHEET_HEAD}<sheetData>{cells}</sheetData></worksheet>"))


def refused(data: bytes, name: str, options: ImportOptions | None = None) -> str:
    with pytest.raises(ImportRefused) as info:
        load_roster(data, name, options)
    return str(info.value)


# Cells far enough out to break the 2,000,000-cell bound (AX = column 50, 50 x 50,000 = 2.5 M cells), yet
# small enough that a missed one costs calamine only ~100 MB instead of aborting the test process.
@pytest.mark.parametrize("far", [
    '<row r="50000"><c r="AX50000"><v>1</v></c></row>',
    '<row r="50000"><c r="ax50000"><v>1</v></c></row>',  # calamine accepts lower case
    "<row r='50000'><c r='AX50000'><v>1</v></c></row>",  # and single quotes
    '<row r="50000"><c\n r = "AX50000"><v>1</v></c></row>',  # and spaces around '='
    '<row r="50000"><c t="n"r="AX50000"><v>1</v></c></row>',  # and no space between attributes
    '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="50000"><x:c r="AX50000">'
    '<x:v>1</x:v></x:c></x:row>',  # and namespace prefixes
    '<row r="50000">' + "<c><v>1</v></c>" * 50 + "</row>",  # cells without r follow each other
    '<row r="49999"><c r="AX49999"><v>1</v></c></row><row><c r="AX"><v>1</v></c></row>',  # r-less row, no digits
])
def test_real_cell_references_are_bounded_however_they_are_written(far: str) -> None:
    message = refused(book(HEAD + far), "r.xlsx")
    assert "row 50,000" in message and "column AX (50)" in message and "2,000,000 cells" in message


def test_a_far_reference_inside_text_does_not_refuse_the_sheet() -> None:
    """The fast scan also sees `Manager="Bob"` in an inline string; the strict re-check clears it."""
    note = '<row r="3"><c r="A3" t="inlineStr"><is><t>Manager="BOBX999999"</t></is></c></row>'
    result = load_roster(book(HEAD + note), "r.xlsx")
    assert [r.row for r in result.rows] == [2, 3]


def test_sheet_extent_walks_writers_that_omit_r() -> None:
    xml = (_SHEET_HEAD + "<sheetData>" + "<row>" + "<c><v>1</v></c>" * 3 + "</row>" * 1 + "<row><c><v>2</v></c></row>"
           + "</sheetData></worksheet>").encode()
    assert sheet_extent(xml, lambda e: e.columns <= 2) == Extent(2, 3)  # the loose count (2 + 4) did not fit
    assert sheet_extent(xml, lambda e: True) == Extent(2, 4)  # loose, and it fits: no walk needed


def test_rows_beyond_the_cap_are_refused_from_the_references() -> None:
    options = ImportOptions(max_rows=5)
    assert "rows" in refused(book(HEAD + '<row r="17"><c r="A17"><v>1</v></c></row>'), "r.xlsx", options)


def test_damaged_sheet_member_is_refused_as_damaged() -> None:
    """The zip directory is intact; the sheet's deflate stream or CRC is not: one sentence, no exception."""
    good = good_xlsx()
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for at in (start, start + info.compress_size // 2, start + info.compress_size - 1):
        damaged = bytearray(good)
        damaged[at] ^= 0x55
        message = refused(bytes(damaged), "r.xlsx")
        assert "damaged" in message and "Error" not in message, message


def test_header_only_xlsx_is_refused() -> None:
    data = book('<row r="1"><c r="A1" t="inlineStr"><is><t>IPEI</t></is></c>'
                '<c r="B1" t="inlineStr"><is><t>UPN</t></is></c></row>')
    assert "no handset rows" in refused(data, "r.xlsx")


def test_semicolon_file_under_a_plain_title_line() -> None:
    text = "Handset roster Berlin\nIPEI;UPN;Site\n0DEADBEEF4;anna@contoso.com;Berlin\n"
    result = load_roster(text.encode(), "r.csv")
    assert result.info.delimiter == ";" and [r.row for r in result.rows] == [3]
    assert result.rows[0].status is RowStatus.ACCEPTED


def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row() -> None:
    text = "sep=;\r\nIPEI;UPN;Site\r\n0DEADBEEF4;anna@contoso.com;Berlin, Mitte\r\n"
    result = load_roster(text.encode(), "r.csv")
    assert result.info.delimiter == ";" and result.rows[0].site == "Berlin, Mitte"
    assert result.rows[0].row == 2 and any("sep=;" in n for n in result.info.notes)


def test_mixed_utf8_and_cp1252_gets_a_note() -> None:
    data = "IPEI,UPN,Site\n0DEADBEEF4,a@contoso.com,Zürich\n".encode() + "0004D5F980,b@contoso.com,Malmö\n".encode(
        "cp1252")
    result = load_roster(data, "r.csv")
    assert result.info.encoding == "cp1252" and any("mixes UTF-8" in n for n in result.info.notes)
    plain = load_roster("IPEI,UPN,Site\n0DEADBEEF4,a@contoso.com,Malmö\n".encode("cp1252"), "r.csv")
    assert plain.info.notes == ()


def test_rows_wider_than_the_header_only_when_the_extra_cells_hold_something() -> None:
    ok = load_roster(b"IPEI,UPN,Site\n0DEADBEEF4,a@contoso.com,HQ,,\n", "r.csv")
    assert ok.rows[0].status is RowStatus.ACCEPTED, ok.rows[0].errors
    text = 'IPEI,UPN,Site\n0DEADBEEF4,a@contoso.com,"Berlin\nMitte"\n0004D5F980,b@contoso.com,HQ,x\n'
    message = refused(text.encode(), "r.csv")
    assert "line 4 has 4 cells but the header has 3" in message  # row 3 starts on text line 4


def test_unclosed_quote_names_its_line_without_parser_wording() -> None:
    message = refused(b'IPEI,UPN\n0DEADBEEF4,a@contoso.com\n0004D5F980,"b@contoso.com\n', "r.csv")
    assert "line 3" in message and "never closed" in message and "Error" not in message


def test_column_bound_is_configurable() -> None:
    header = ",".join(["IPEI", "UPN"] + [f"c{i}" for i in range(20)])
    assert "at most 10" in refused(f"{header}\n0DEADBEEF4,a@contoso.com\n".encode(), "r.csv",
                                   ImportOptions(max_columns=10))
    assert load_roster(f"{header}\n0DEADBEEF4,a@contoso.com\n".encode(), "r.csv").rows[0].row == 2


def test_blank_lines_do_not_count_against_the_row_cap_but_are_bounded() -> None:
    body = b"IPEI,UPN\n0DEADBEEF4,a@contoso.com\n" + b",\n" * 50 + b"0004D5F980,b@contoso.com\n"
    result = load_roster(body, "r.csv", ImportOptions(max_rows=2))
    assert [r.row for r in result.rows] == [2, 53] and result.summary["skipped_empty"] == 50
    assert "empty rows" in refused(body, "r.csv", ImportOptions(max_lines=40))


def test_missing_identifier_column_lists_what_was_found() -> None:
    message = refused(b"Name,UPN,Site,Notes\nAnna,a@contoso.com,HQ,x\n", "r.csv")
    assert message.startswith("No recognisable columns: there is no identifier column (IPEI")
    assert "recognised 'Name' (display name), 'UPN' (user), 'Site' (site); not recognised 'Notes'" in message
    assert "there is no user column" in refused(b"IPEI,Site\n0DEADBEEF4,HQ\n", "r.csv")


def test_refusal_lists_at_most_ten_unknown_headers() -> None:
    header = ",".join(f"Column {i}" for i in range(40))
    message = refused(f"{header}\n1\n".encode(), "r.csv")
    assert "'Column 9' and 30 more" in message and "Column 10" not in message


def test_long_cells_are_quoted_short() -> None:
    result = load_roster(f"IPEI,UPN,Site\n{'Z' * 5000},{'u' * 5000}@contoso.com,HQ\n".encode(), "r.csv")
    messages = [i.message for i in result.rows[0].errors]
    assert len(messages) == 2 and all(len(m) < 300 and "characters)" in m for m in messages)


def test_invisible_characters_are_shown_by_name() -> None:
    result = load_roster("IPEI,UPN\n0DEADBEEF4,anna\u202e@contoso.com\n".encode(), "r.csv")
    assert "anna<U+202E>@contoso.com" in result.rows[0].errors[0].message


def test_size_refusal_shows_exact_sizes() -> None:
    data = b"IPEI,UPN\n" + b"x" * (20 * MB)
    message = refused(data, "r.csv")
    assert f"{len(data):,} bytes" in message and f"the limit is {20 * MB:,} bytes (20.00 MB)" in message
