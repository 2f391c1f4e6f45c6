"""Reading roster files: encodings, delimiters, XLSX cells, header aliases, and file-level refusals."""

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teams_sip.domain.roster import Field, ImportRefused, RowStatus
from teams_sip.errors import TeamsSipError
from teams_sip.importing.options import ImportOptions
from teams_sip.importing.roster_file import load_roster

ROOT = Path(__file__).resolve().parent.parent
CSV = "IPEI,UPN,Site,Install date\n0DEADBEEF4,anna@contoso.com,Berlin,2026-03-16\n"


def xlsx(rows, name="Handsets") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = name
    for r in rows:
        sheet.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""),
                                                  ("cp1252", b"")])
def test_csv_encodings(encoding: str, prefix: bytes) -> None:
    text = CSV.replace("Berlin", "Zürich Büro")
    result = load_roster(prefix + text.encode(encoding), "roster.csv")
    (row,) = result.rows
    assert row.site == "Zürich Büro" and row.status is RowStatus.ACCEPTED
    assert result.info.encoding in {"utf-8", "utf-8-sig", "utf-16", "cp1252"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_sniffed(delimiter: str) -> None:
    text = CSV.replace(",", delimiter).replace("Berlin", '"Berlin, Mitte"' if delimiter == "," else "Berlin, Mitte")
    result = load_roster(text.encode(), "roster.csv")
    assert result.info.delimiter == delimiter
    assert result.rows[0].site == "Berlin, Mitte"


def test_header_aliases_case_and_spacing_and_ignored_columns() -> None:
    text = ("  handset_IPUI ;E-MAIL;LOCATION;Installation  Date;Notes;Hardware ID\n"
            "0DEADBEEF4;anna@contoso.com;Berlin;2026-03-16;desk 4;\n")
    result = load_roster(text.encode(), "r.csv")
    fields = dict(result.info.columns)
    assert fields[Field.IPEI] == "handset_IPUI" and fields[Field.UPN] == "E-MAIL" and fields[Field.MAC] == "Hardware ID"
    assert result.info.ignored_columns == ("Notes",)


def test_row_numbers_as_excel_shows_them_with_blank_rows_skipped() -> None:
    text = CSV + "\n,,,\n0004D5F980,ben@contoso.com,Berlin,2026-03-16\n"
    result = load_roster(text.encode(), "r.csv")
    assert [r.row for r in result.rows] == [2, 5]
    assert result.summary["skipped_empty"] == 2


def test_header_below_a_title_line() -> None:
    result = load_roster(("Roster for Berlin,,,\n" + CSV).encode(), "r.csv")
    assert result.rows[0].row == 3 and "row 2" in result.info.notes[0]


def test_xlsx_numbers_dates_and_text_cells() -> None:
    data = xlsx([("IPEI", "MAC", "UPN", "Site", "Install date"),
                 (7703915528, None, "anna@contoso.com", "Berlin", dt.date(2026, 3, 16)),
                 ("03717c0e0a", None, "ben@contoso.com", "Berlin", dt.datetime(2026, 3, 17, 9, 30)),
                 (None, "00:04:F2:AB:CD:01", "carl@contoso.com", "Berlin", "18.03.2026"),
                 (None, None, None, None, None),
                 (1410307900260, None, "dora@contoso.com", "Berlin", 46099)])
    result = load_roster(data, "roster.xlsx")
    assert result.info.format == "xlsx" and result.info.sheet == "Handsets"
    assert [r.row for r in result.rows] == [2, 3, 4, 6]
    assert [r.identity.hardware_id if r.identity else None for r in result.rows] == [
        "000004D5F980", "0003717C0E0A", "0004F2ABCD01", "0003717C0E0A"]
    assert [r.install_date for r in result.rows[:3]] == [dt.date(2026, 3, 16), dt.date(2026, 3, 17),
                                                         dt.date(2026, 3, 18)]
    assert any("leading zero" in w.message for w in result.rows[0].warnings)
    assert result.rows[3].status is RowStatus.REJECTED  # same handset as ben's row, other user
    assert "is also assigned" in result.rows[3].errors[0].message


def test_same_file_same_result() -> None:
    data = (ROOT / "examples" / "handsets.xlsx").read_bytes()
    assert load_roster(data, "handsets.xlsx") == load_roster(data, "handsets.xlsx")


@pytest.mark.parametrize(("name", "accepted", "rejected", "devices"), [("handsets.csv", 10, 10, 9),
                                                                       ("handsets.xlsx", 10, 13, 9)])
def test_shipped_examples(name: str, accepted: int, rejected: int, devices: int) -> None:
    result = load_roster((ROOT / "examples" / name).read_bytes(), name)
    s = result.summary
    assert (s["accepted"], s["rejected"], s["devices"], s["duplicates"]) == (accepted, rejected, devices, 1)
    messages = " ".join(i.message for r in result.rows for i in (*r.errors, *r.warnings))
    for phrase in ("check digit is", "multicast", "RFPI", "leading zero", "also assigned", "counted once",
                   "not a user principal name"):
        assert phrase in messages, phrase


def refused(data: bytes, name: str, options: ImportOptions | None = None) -> str:
    with pytest.raises(ImportRefused) as info:
        load_roster(data, name, options)
    assert isinstance(info.value, TeamsSipError)
    return str(info.value)


def test_refusals_for_format_and_columns() -> None:
    assert "unknown format" in refused(b"%PDF-1.7", "roster.pdf")
    assert "empty" in refused(b"  \n", "roster.csv")
    assert "No recognisable columns" in refused(b"Name,Phone\nAnna,123\n", "r.csv")
    assert "No recognisable columns" in refused(b"IPEI,Site\n0DEADBEEF4,Berlin\n", "r.csv")  # no user column
    assert "not readable text" in refused(b"\x00\x01\x02binary\x00", "r.csv")
    assert "malformed" in refused(b'IPEI,UPN\n0DEADBEEF4,a@contoso.com,extra,cells\n', "r.csv")
    assert "not a valid .xlsx" in refused(b"IPEI,UPN\n", "r.xlsx")
    assert "not an Excel workbook" in refused(rezip(b"PK\x05\x06" + b"\0" * 18, {"word/document.xml": b"x"}),
                                              "r.xlsx")


def test_size_and_row_caps_are_configurable() -> None:
    small = ImportOptions(max_bytes=100)
    assert "limit is" in refused(CSV.encode() * 5, "r.csv", small)
    body = CSV + "".join(f"0004D5F98{i},u{i}@contoso.com,Berlin,\n" for i in range(5))
    assert "more than 3 rows" in refused(body.encode(), "r.csv", ImportOptions(max_rows=3))
    assert len(load_roster(body.encode(), "r.csv", ImportOptions(max_rows=6)).rows) == 6
    rows = [("IPEI", "UPN", "Site")] + [(f"0004D5F98{i}", f"u{i}@contoso.com", "B") for i in range(6)]
    assert "rows" in refused(xlsx(rows), "r.xlsx", ImportOptions(max_rows=3))


def test_unsafe_workbooks_refused() -> None:
    good = xlsx([("IPEI", "UPN", "Site"), ("0DEADBEEF4", "anna@contoso.com", "Berlin")])
    assert load_roster(good, "r.xlsx").rows[0].status is RowStatus.ACCEPTED
    assert "macro" in refused(good, "r.xlsm")
    assert "macros" in refused(rezip(good, {"xl/vbaProject.bin": b"\0" * 64}), "r.xlsx")
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
    assert "encrypted" in refused(ole, "r.xlsx")
    bomb = rezip(good, {"xl/media/padding.bin": b"\0" * (3 * 1024 * 1024)})
    assert "unpacks to" in refused(bomb, "r.xlsx", ImportOptions(max_uncompressed_bytes=2 * 1024 * 1024))


def test_declared_sheet_dimension_beyond_the_cell_bound_is_refused_before_reading() -> None:
    good = xlsx([("IPEI", "UPN", "Site"), ("0DEADBEEF4", "anna@contoso.com", "Berlin")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<dimension ref="A1:C2" />', b'<dimension ref="A1:XFD1048576" />')
                assert b"XFD" in content
            dst.writestr(item, content)
    assert "beyond the bound" in refused(out.getvalue(), "r.xlsx")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["r.csv", "r.xlsx", "r.txt", "r"]))
def test_arbitrary_bytes_give_a_result_or_a_refusal(data: bytes, name: str) -> None:
    try:
        result = load_roster(b"IPEI,UPN\n" + data if name.endswith(".csv") else data, name)
    except ImportRefused as exc:
        assert str(exc)
    else:
        assert result.summary["rows"] == len(result.rows)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12), min_size=4,
                         max_size=4), max_size=6))
def test_arbitrary_cells_never_crash(cells: list[list[str]]) -> None:
    data = xlsx([("IPEI", "UPN", "Site", "Install date"), *cells])
    try:
        result = load_roster(data, "r.xlsx")
    except ImportRefused as exc:
        assert str(exc)
    else:
        assert all(r.status in {RowStatus.ACCEPTED, RowStatus.REJECTED} for r in result.rows)
