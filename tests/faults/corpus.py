"""A corpus of bad roster spreadsheets, generated in memory so the suite ships no binary fixtures.

Each BadFile says what is wrong with it and the outcome the importer owes the admin: the whole
file refused (with words the message must contain), or a result whose listed rows, and only
those, are rejected with errors naming the listed columns. Big cases (zip bombs, caps) are built
once per process and cached, so the corpus costs seconds, not minutes.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from xml.sax.saxutils import escape

from teams_sip.domain.roster import HandsetRow, ImportResult, RowStatus
from teams_sip.importing.options import MB
from tests.fixtures.workbooks import ods, xls_fixture, xlsb


class Outcome(StrEnum):
    REFUSED = "refused"
    ROW_ERRORS = "row errors"


@dataclass(frozen=True)
class BadFile:
    name: str
    filename: str
    build: Callable[[], bytes]
    outcome: Outcome
    says: tuple[str, ...] = ()  # words (case-insensitive) the refusal must contain
    bad: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # rejected row -> columns its errors name
    check: Callable[[ImportResult], None] | None = None  # what else the result must show
    bug: str = ""  # a known import defect: the test is xfail(strict=True) with this as the reason
    isolate: bool = False  # may kill the interpreter: load it in a child process only

    @property
    def data(self) -> bytes:
        if self.name not in _BUILT:
            _BUILT[self.name] = self.build()
        return _BUILT[self.name]


_BUILT: dict[str, bytes] = {}

HEADER = "IPEI,UPN,Site"
GOOD = "0DEADBEEF4,anna@contoso.com,HQ"


def csv(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> Callable[[], bytes]:
    return lambda: (newline.join(lines) + newline).encode(encoding)


# ---- XLSX built by hand: every part under our control, so damage can be precise -------------------

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
       'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
       'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '</Types>')
_MACRO_CT = _CT.replace("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml")
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships"><sheets><sheet name="Handsets" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
SHEET = "xl/worksheets/sheet1.xml"
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main">')


@dataclass(frozen=True)
class Formula:
    text: str
    cached: str | None = None  # what Excel last computed; None when never calculated


Cell = str | int | float | Formula


def column_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value: Cell) -> str:
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{escape(value.cached)}</v>"
        return f'<c r="{ref}" t="str"><f>{escape(value.text)}</f>{cached}</c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Cell]], dimension: str | None = None, tail: str = "") -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, start=1) if v != "")
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{_SHEET_HEAD}{dim}<sheetData>{''.join(body)}{tail}</sheetData></worksheet>"


def zip_parts(parts: Sequence[tuple[str, str | bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts:
            zf.writestr(name, content)
    return buffer.getvalue()


def workbook_parts(sheet: str, content_types: str = _CT) -> list[tuple[str, str | bytes]]:
    return [("[Content_Types].xml", content_types), ("_rels/.rels", _RELS), ("xl/workbook.xml", _WORKBOOK),
            ("xl/_rels/workbook.xml.rels", _WB_RELS), (SHEET, sheet)]


def xlsx(*rows: Sequence[Cell]) -> bytes:
    return zip_parts(workbook_parts(sheet_xml(rows)))


def good_xlsx() -> bytes:
    return xlsx(["IPEI", "UPN", "Site"], ["0DEADBEEF4", "anna@contoso.com", "HQ"],
                ["0004D5F980", "ben@contoso.com", "HQ"])


def _with_big_member(name: str, head: bytes, filler: bytes, size: int, tail: bytes) -> bytes:
    """A valid workbook plus one member that inflates to `size` bytes from a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for part, content in workbook_parts(sheet_xml([["IPEI", "UPN", "Site"], GOOD.split(",")])):
            if part != name:
                zf.writestr(part, content)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED  # a bare ZipInfo would store, not compress
        with zf.open(info, "w", force_zip64=True) as handle:
            handle.write(head)
            chunk = filler * (MB // len(filler))
            for _ in range(size // len(chunk)):
                handle.write(chunk)
            handle.write(tail)
    return buffer.getvalue()


def sheet_bomb() -> bytes:
    return _with_big_member(SHEET, _SHEET_HEAD.encode() + b"<sheetData>", b"<row/>", 200 * MB,
                            b"</sheetData></worksheet>")


_SST_HEAD = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def shared_strings_bomb() -> bytes:
    return _with_big_member("xl/sharedStrings.xml", b'<?xml version="1.0"?><sst xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main">', b"<si><t>0DEADBEEF4</t></si>",
                            200 * MB, b"</sst>")


def understated_member() -> bytes:
    """50 MB of sheet XML whose zip headers claim 5,000 bytes: the size checks see nothing large."""
    padded = sheet_xml([["IPEI", "UPN", "Site"], GOOD.split(",")]).replace("<sheetData>", "<sheetData>" + " " * 50 * MB)
    data = bytearray(zip_parts(workbook_parts(padded)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(SHEET)
    central = data.find(SHEET.encode(), data.find(b"PK\x01\x02")) - 46
    for size_at in (info.header_offset + 22, central + 24):
        data[size_at : size_at + 4] = (5_000).to_bytes(4, "little")
    return bytes(data)


def too_many_members() -> bytes:
    parts = workbook_parts(sheet_xml([["IPEI", "UPN", "Site"], ["0DEADBEEF4", "a@contoso.com", "HQ"]]))
    return zip_parts(parts + [(f"xl/media/image{i}.png", b"x") for i in range(2_500)])


def damaged_member() -> bytes:
    """Flip one byte inside the compressed workbook part: the zip directory is intact, the data is not."""
    data = bytearray(good_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("[Content_Types].xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


def sparse_far_cell() -> bytes:
    """Two real cells and one at XFD100000: 500 bytes on disk, 1.6 billion cells once unpacked."""
    far = '<row r="100000"><c r="XFD100000"><v>1</v></c></row>'
    return zip_parts(workbook_parts(sheet_xml([["IPEI", "UPN", "Site"], [GOOD.split(",")[0], "a@contoso.com", "HQ"]],
                                              tail=far)))


def ole_file(payload: bytes) -> bytes:
    """An OLE compound file header (what Excel writes for encrypted workbooks and .xls) and filler."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + payload * 64


def docx() -> bytes:
    return zip_parts([("[Content_Types].xml", "<Types/>"), ("word/document.xml",
                                                           "<w:document><w:body>IPEI UPN</w:body></w:document>")])


def png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
            b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def pdf() -> bytes:
    return (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Length 3 >> stream\n\x00\x01\x02\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def random_bytes(seed: int, size: int) -> Callable[[], bytes]:
    return lambda: random.Random(seed).randbytes(size)


# ---- What results must show besides the rejected rows ----------------------------------------------

def _row(result: ImportResult, n: int) -> HandsetRow:
    return next(r for r in result.rows if r.row == n)


def _warned(n: int, *words: str) -> Callable[[ImportResult], None]:
    def check(result: ImportResult) -> None:
        row = _row(result, n)
        assert row.status is RowStatus.ACCEPTED
        text = " ".join(w.message for w in row.warnings).lower()
        assert all(word.lower() in text for word in words), (n, text)
    return check


def _site_kept_verbatim(result: ImportResult) -> None:
    # the text the admin typed, never 2, and refused: it would go unchanged into the TAC upload file
    assert _row(result, 6).site == "=1+1" and "formula" in _row(result, 6).errors[0].message


def _cached_value_not_recomputed(result: ImportResult) -> None:
    assert _row(result, 2).site == "not recomputed"  # Excel's last value, not the formula's 2


def _header_on_row_3(result: ImportResult) -> None:
    assert "header found on row 3" in result.info.notes
    assert [r.row for r in result.rows] == [4, 5]


def _one_device_counted_once(result: ImportResult) -> None:
    assert _row(result, 6).duplicate_of == 5 and result.summary["devices"] == 1


def _latin1_decoded(result: ImportResult) -> None:
    assert result.info.encoding == "cp1252"
    assert "josé@contoso.com" in _row(result, 2).errors[0].message


def _million_skipped(result: ImportResult) -> None:
    assert result.summary["skipped_empty"] == 1_000_000 and [r.row for r in result.rows] == [2, 1_000_003]


def _huge_cell_kept_whole(result: ImportResult) -> None:
    row = _row(result, 3)  # kept whole, refused (over the 100-character cap), and quoted only in part
    assert len(row.site) == MB and "longer than 100 characters" in row.errors[0].message
    assert len(row.errors[0].message) < 300


REFUSED, ROWS = Outcome.REFUSED, Outcome.ROW_ERRORS
IP, UPN, SITE, DATE = ("IPEI",), ("UPN",), ("Site",), ("Install date",)
SIZE_CAP = 20 * MB

CORPUS: tuple[BadFile, ...] = (
    # -- encodings
    BadFile("utf16-le-without-bom", "r.csv", csv(HEADER, GOOD, encoding="utf-16-le"), REFUSED, ("text",)),
    BadFile("utf16-be-without-bom", "r.csv", csv(HEADER, GOOD, encoding="utf-16-be"), REFUSED, ("text",)),
    BadFile("latin1-mislabelled-as-utf8", "r.csv", csv(HEADER, "0DEADBEEF4,josé@contoso.com,Malmö", encoding="latin-1"),
            ROWS, bad={2: UPN}, check=_latin1_decoded),
    BadFile("mixed-utf8-and-cp1252-rows", "r.csv",
            lambda: f"{HEADER}\n0DEADBEEF4,zoë@contoso.com,HQ\n".encode()
            + "0004D5F980,zoë@contoso.com,HQ\n".encode("cp1252"),
            ROWS, bad={2: UPN, 3: UPN}),
    BadFile("bytes-no-encoding-explains", "r.csv",
            lambda: f"{HEADER}\n0DEADBEEF4,a@contoso.com,".encode() + b"\x81\x8d\x90\n", REFUSED, ("text",)),
    BadFile("utf16-tab-text-with-bad-row", "r.txt", csv("IPEI\tUPN\tSite", GOOD.replace(",", "\t"), "0DEADBEEF\tb@x\t",
                                                        encoding="utf-16"), ROWS, bad={3: ("IPEI", "UPN", "Site")}),
    BadFile("nul-bytes-in-csv", "r.csv", csv(HEADER, "0DEAD\x00BEEF4,a@contoso.com,HQ"), REFUSED, ("text",)),
    # -- truncation
    BadFile("csv-cut-inside-quotes", "r.csv", lambda: f'{HEADER}\n{GOOD}\n0004D5F980,"ben@cont'.encode(), REFUSED,
            ("line",)),
    BadFile("csv-cut-mid-row", "r.csv", lambda: f"{HEADER}\n{GOOD}\n0004D5".encode(), ROWS, bad={3: IP + SITE}),
    BadFile("xlsx-cut-in-half", "r.xlsx", lambda: good_xlsx()[: len(good_xlsx()) // 2], REFUSED, ("damaged",)),
    BadFile("xlsx-without-central-directory-end", "r.xlsx", lambda: good_xlsx()[:-30], REFUSED, ("damaged",)),
    BadFile("xlsx-member-data-damaged", "r.xlsx", damaged_member, REFUSED, ("workbook",)),
    # -- zip bombs
    BadFile("sheet-xml-bomb-200mb", "r.xlsx", sheet_bomb, REFUSED, ("unpacks",)),
    BadFile("shared-strings-bomb-200mb", "r.xlsx", shared_strings_bomb, REFUSED, ("unpacks",)),
    BadFile("member-size-understated", "r.xlsx", understated_member, REFUSED, ("workbook",)),
    BadFile("too-many-zip-members", "r.xlsx", too_many_members, REFUSED, ("parts",)),
    BadFile("declared-dimension-whole-grid", "r.xlsx", lambda: zip_parts(workbook_parts(sheet_xml(
        [["IPEI", "UPN", "Site"]], dimension="A1:XFD1048576"))), REFUSED, ("rows",)),
    BadFile("undeclared-far-cell-xfd100000", "r.xlsx", sparse_far_cell, REFUSED, ("rows",), isolate=True),
    # issue 24, item 5 and the other formats: what calamine would read or reserve before the grid bound
    BadFile("one-shared-string-150mb", "r.xlsx", lambda: _with_big_member(
        "xl/sharedStrings.xml", _SST_HEAD + b"<si><t>", b"A" * 4096, 150 * MB, b"</t></si></sst>"),
            REFUSED, ("KB of text",), isolate=True),
    BadFile("shared-strings-declared-2-billion", "r.xlsx", lambda: zip_parts(
        [*workbook_parts(sheet_xml([["IPEI", "UPN", "Site"], GOOD.split(",")])), ("xl/sharedStrings.xml",
         _SST_HEAD.replace(b"<sst ", b'<sst uniqueCount="2000000000" ') + b"<si><t>x</t></si></sst>")]),
            REFUSED, ("declares",), isolate=True),
    BadFile("xls-far-cell-iv65536", "r.xls", lambda: xls_fixture("far-cell.xls"), REFUSED, ("rows",), isolate=True),
    BadFile("xlsb-far-cell", "r.xlsb", lambda: xlsb([("Roster", [["IPEI", "UPN", "Site"], GOOD.split(",")])],
                                                    far_cell=(1_000_000, 16_000)), REFUSED, ("rows",), isolate=True),
    BadFile("ods-five-million-repeated-rows", "r.ods", lambda: ods(
        [("Roster", [["IPEI", "UPN", "Site"], GOOD.split(",")])],
        tail='<table:table-row table:number-rows-repeated="5000000"><table:table-cell office:value-type="string">'
             "<text:p>x</text:p></table:table-cell></table:table-row>"), REFUSED, ("rows",), isolate=True),
    BadFile("xlsx-over-row-cap", "r.xlsx", lambda: zip_parts(workbook_parts(sheet_xml(
        [["IPEI", "UPN", "Site"]] + [["0DEADBEEF4"]] * 100_011))), REFUSED, ("100,000",)),
    # -- macros, encryption, legacy
    BadFile("xlsm-by-name", "r.xlsm", good_xlsx, REFUSED, ("macro",)),
    BadFile("vba-project-inside-xlsx", "r.xlsx", lambda: zip_parts(
        [*workbook_parts(sheet_xml([["IPEI", "UPN"]])), ("xl/vbaProject.bin", ole_file(b"VBA"))]), REFUSED, ("macro",)),
    BadFile("macro-enabled-content-type", "r.xlsx", lambda: zip_parts(workbook_parts(
        sheet_xml([["IPEI", "UPN"]]), _MACRO_CT)), REFUSED, ("macro",)),
    BadFile("encrypted-workbook-ole", "r.xlsx", lambda: ole_file(b"EncryptedPackage"), REFUSED, ("password",)),
    BadFile("legacy-xls", "r.xls", lambda: ole_file(b"Workbook"), REFUSED, (".xlsx",)),
    # -- formulas are text
    BadFile("csv-formulas", "r.csv", csv(HEADER, '"=HYPERLINK(""http://evil"",""0DEADBEEF4"")",a@contoso.com,HQ',
                                         "0DEADBEEF4,+cmd|' /C calc'!A0,HQ", "@SUM(1+1),b@contoso.com,HQ",
                                         "-2+3,c@contoso.com,HQ", "0004D5F980,d@contoso.com,=1+1"),
            ROWS, bad={2: IP, 3: UPN, 4: IP, 5: IP, 6: SITE}, check=_site_kept_verbatim),
    BadFile("xlsx-formulas-never-calculated", "r.xlsx", lambda: xlsx(
        ["IPEI", "UPN", "Site"], ["0DEADBEEF4", "a@contoso.com", Formula("1+1", "not recomputed")],
        [Formula('HYPERLINK("http://evil","0004D5F980")'), "b@contoso.com", "HQ"],
        ["03717C0E0A", Formula("SUM(1,2)"), "HQ"]),
            ROWS, bad={3: IP, 4: UPN}, check=_cached_value_not_recomputed),
    BadFile("xlsx-formula-text-cells", "r.xlsx", lambda: xlsx(
        ["IPEI", "UPN", "Site"], ["=2+3", "a@contoso.com", "HQ"], ["0DEADBEEF4", "@SUM(A1)", "HQ"]),
            ROWS, bad={2: IP, 3: UPN}),
    # -- duplicates and conflicts
    BadFile("same-handset-two-users", "r.csv", csv(HEADER, GOOD, "57005 0782068 7,anna@contoso.com,HQ",
                                                   "000DEADBEEF4,ben@contoso.com,HQ", "0004D5F980,ben@contoso.com,HQ",
                                                   "0004D5F980,BEN@contoso.com,HQ"),
            ROWS, bad={2: IP, 3: IP, 4: IP}, check=_one_device_counted_once),
    BadFile("ipei-and-mac-disagree", "r.csv", csv("IPEI,MAC,UPN,Site", "0DEADBEEF4,00-0D-EA-DB-EE-F4,a@contoso.com,HQ",
                                                  "0004D5F980,00-11-22-33-44-55,b@contoso.com,HQ"),
            ROWS, bad={3: ("MAC",)}),
    # -- identifiers damaged by spreadsheets
    BadFile("scientific-notation-ids", "r.csv", csv(HEADER, "3.71707E+11,a@contoso.com,HQ",
                                                    "5.70050782068E+11,b@contoso.com,HQ",
                                                    "3.717E+104,c@contoso.com,HQ"),
            ROWS, bad={2: IP, 4: IP}, check=_warned(3, "scientific")),
    BadFile("lost-leading-zeros", "r.csv", csv(HEADER, "7703915528,a@contoso.com,HQ", "7703915529,b@contoso.com,HQ",
                                               "4D5F980,c@contoso.com,HQ"), ROWS, bad={3: IP, 4: IP},
            check=_warned(2, "leading zero")),
    BadFile("float-dot-zero-ids", "r.csv", csv(HEADER, "7703915528.0,a@contoso.com,HQ", "12345.0,b@contoso.com,HQ",
                                               "7703915528.5,c@contoso.com,HQ"), ROWS, bad={3: IP, 4: IP},
            check=_warned(2, ".0")),
    BadFile("xlsx-number-cells-as-ids", "r.xlsx", lambda: xlsx(
        ["IPEI", "UPN", "Site"], [371707000000, "a@contoso.com", "HQ"], [7703915528, "b@contoso.com", "HQ"],
        [3.71707e11, "c@contoso.com", "HQ"]),
            ROWS, bad={2: IP, 4: IP}, check=_warned(3, "leading zero")),
    # -- huge cells, caps
    BadFile("one-megabyte-cell", "r.csv", csv(HEADER, f"{'0' * MB},a@contoso.com,HQ",
                                              f"0004D5F980,b@contoso.com,{'x' * MB}"),
            ROWS, bad={2: IP, 3: SITE}, check=_huge_cell_kept_whole),
    BadFile("xlsx-one-megabyte-cell", "r.xlsx", lambda: xlsx(["IPEI", "UPN", "Site"], ["0DEADBEEF4", "a" * MB, "HQ"]),
            ROWS, bad={2: UPN}),
    BadFile("million-empty-rows", "r.csv", lambda: f"{HEADER}\n{GOOD}\n".encode() + b",,\n" * 1_000_000
            + b"0DEADBEEF,b@contoso.com,HQ\n", ROWS, bad={1_000_003: IP}, check=_million_skipped),
    BadFile("twenty-megabytes-of-blank-lines", "r.csv", lambda: f"{HEADER}\n{GOOD}\n".encode()
            + b"\n" * (SIZE_CAP - 100), REFUSED, ("empty rows",)),
    BadFile("over-row-cap", "r.csv", lambda: f"{HEADER}\n".encode() + f"{GOOD}\n".encode() * 100_001, REFUSED,
            ("100,000",)),
    BadFile("over-byte-cap", "r.csv", lambda: f"{HEADER}\n".encode() + b"x" * SIZE_CAP, REFUSED, ("MB",)),
    # -- empty
    BadFile("zero-bytes", "r.csv", lambda: b"", REFUSED, ("empty",)),
    BadFile("only-blank-lines", "r.csv", lambda: b"\r\n\n  \n\t\n", REFUSED, ("empty",)),
    BadFile("bom-only", "r.csv", lambda: b"\xef\xbb\xbf", REFUSED, ("empty",)),
    BadFile("header-only", "r.csv", csv(HEADER), REFUSED, ("no handset",)),
    BadFile("header-and-empty-separator-rows", "r.csv", csv(HEADER, ",,", ",,", ""), REFUSED, ("no handset",)),
    BadFile("xlsx-empty-sheet", "r.xlsx", lambda: zip_parts(workbook_parts(sheet_xml([]))), REFUSED, ("empty",)),
    # -- binary garbage
    BadFile("random-bytes-as-csv", "r.csv", random_bytes(9, 4096), REFUSED),
    BadFile("random-bytes-as-xlsx", "r.xlsx", random_bytes(10, 4096), REFUSED, ("xlsx",)),
    BadFile("random-bytes-no-suffix", "roster", random_bytes(11, 4096), REFUSED),
    BadFile("png-as-csv", "r.csv", png, REFUSED),
    BadFile("png-as-xlsx", "r.xlsx", png, REFUSED),
    BadFile("pdf-as-csv", "r.csv", pdf, REFUSED),
    BadFile("docx-as-xlsx", "r.xlsx", docx, REFUSED, ("not an excel",)),
    BadFile("csv-text-named-xlsx", "r.xlsx", csv(HEADER, GOOD), REFUSED, ("xlsx",)),
    BadFile("docx-as-itself", "r.docx", docx, REFUSED, (".xlsx",)),
    BadFile("zipped-csv", "r.csv", lambda: zip_parts([("r.csv", f"{HEADER}\n{GOOD}\n")]), REFUSED, (".xlsx",)),
    BadFile("gzipped-csv", "r.csv", lambda: gzip.compress(f"{HEADER}\n{GOOD}\n".encode(), mtime=0), REFUSED),
    BadFile("html-table-saved-as-xls", "r.xls", csv("<html><table><tr><td>IPEI</td><td>UPN</td></tr></table></html>"),
            REFUSED, (".xlsx",)),
    # -- headers
    BadFile("no-identifier-column", "r.csv", csv("Name,UPN,Site", "Anna,a@contoso.com,HQ"), REFUSED, ("identifier",)),
    BadFile("no-user-column", "r.csv", csv("IPEI,Name,Site", "0DEADBEEF4,Anna,HQ"), REFUSED, ("user",)),
    BadFile("header-below-search-window", "r.csv", csv(*[",,"] * 12, HEADER, GOOD), REFUSED, ("columns",)),
    BadFile("header-row-3-after-padded-titles", "r.csv", csv("Handset roster,,", "Generated 2026-03-01,,", HEADER,
                                                             GOOD, "0DEADBEEF,b@contoso.com,HQ"),
            ROWS, bad={5: IP}, check=_header_on_row_3),
    BadFile("header-row-3-after-plain-titles", "r.csv", csv("Handset roster", "Generated 2026-03-01", HEADER, GOOD,
                                                            "0DEADBEEF,b@contoso.com,HQ"),
            ROWS, bad={5: IP}, check=_header_on_row_3),
    BadFile("ragged-row-with-extra-fields", "r.csv", csv(HEADER, GOOD, "0004D5F980,b@contoso.com,HQ,extra,cells"),
            REFUSED, ("line 3",)),
    # -- dates and other cells
    BadFile("excel-serial-dates", "r.csv", csv(HEADER + ",Install date", GOOD + ",46097",
                                               "0004D5F980,b@contoso.com,HQ,46097.5",
                                               "03717C0E0A,c@contoso.com,HQ,12345"),
            ROWS, bad={3: DATE, 4: DATE}, check=_warned(2, "excel date")),
    BadFile("control-and-bidi-characters", "r.csv", csv(HEADER, "0DEADBEEF4,anna\u202e@contoso.com,HQ",
                                                        "0004D5F980\u200b,b@contoso.com,HQ",
                                                        "03717C0E0A,c@contoso.com,\t"),
            ROWS, bad={2: UPN, 3: IP, 4: SITE}),
)
