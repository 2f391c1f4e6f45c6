"""Bad spreadsheets never crash the import and never half-apply.

Every corpus file either is refused as a whole (ImportRefused, a message an admin can act on, no
traceback or repr noise) or yields a result whose bad rows, and only those, carry errors naming row
and column. Nothing else may escape: no KeyError, UnicodeError, BadZipFile or pandas error. The CLI
is driven in child processes for a representative subset, and hypothesis throws arbitrary bytes,
text and cells at the importer.
"""

from __future__ import annotations

import csv as csvlib
import io
import json
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teams_sip.domain.roster import ImportRefused, ImportResult, RowStatus
from teams_sip.importing.roster_file import load_roster
from tests.faults.corpus import (
    CORPUS,
    GOOD,
    HEADER,
    BadFile,
    Outcome,
    good_xlsx,
    sheet_xml,
    workbook_parts,
    xlsx,
    zip_parts,
)
from tests.fixtures.workbooks import ods, xls_fixture, xlsb

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
BY_NAME = {case.name: case for case in CORPUS}
_NOISE = re.compile(r"Traceback|object at 0x|\b\w+(Error|Exception)\(|\\x[0-9a-f]{2}|\x00|BadZipFile|pandas|"
                    r"python_calamine|File \"")


def _param(case: BadFile) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
    return pytest.param(case, id=case.name, marks=marks)


def assert_clean_message(message: str, typed: bytes = b"") -> None:
    """No traceback, repr or NUL; `typed` is the file's own text, which a message may quote (a cell
    holding the text `\\x00` is quoted as typed, not leaked from a repr)."""
    assert message.strip(), "empty message"
    for noise in _NOISE.finditer(message):
        assert noise.group(0).startswith("\\x") and noise.group(0).encode() in typed, message[:500]


def assert_rows_are_explained(result: ImportResult, typed: bytes = b"") -> None:
    """Every rejected row says where: its own row number and a column heading, with a message."""
    assert result.summary["rows"] == len(result.rows)
    for row in result.rows:
        if row.status is RowStatus.REJECTED:
            assert row.errors
        for issue in (*row.errors, *row.warnings):
            assert issue.row == row.row and issue.column.strip() and issue.message.strip(), issue
            assert_clean_message(issue.message, typed)


def load_or_refuse(data: bytes, filename: str) -> ImportResult | str:
    """The only two outcomes allowed; any other exception propagates and fails the test."""
    try:
        result = load_roster(data, filename)
    except ImportRefused as exc:
        assert_clean_message(str(exc), data)
        return str(exc)
    assert_rows_are_explained(result, data)
    return result


def assert_expected(case: BadFile, outcome: ImportResult | str) -> None:
    if isinstance(outcome, str):
        assert case.outcome is Outcome.REFUSED, f"refused, but rows were expected: {outcome}"
        missing = [w for w in case.says if w.lower() not in outcome.lower()]
        assert not missing, f"message lacks {missing}: {outcome}"
        return
    assert case.outcome is Outcome.ROW_ERRORS, f"expected a refusal, got a result: {outcome.summary}"
    rejected = {r.row: r for r in outcome.rows if r.status is RowStatus.REJECTED}
    assert sorted(rejected) == sorted(case.bad), [str(i) for r in rejected.values() for i in r.errors]
    for n, columns in case.bad.items():
        named = {issue.column for issue in rejected[n].errors}
        assert set(columns) <= named, (n, named)
    if case.check is not None:
        case.check(outcome)


def test_corpus_is_large_and_covers_both_outcomes() -> None:
    assert len(CORPUS) >= 40 and len(BY_NAME) == len(CORPUS)
    assert {c.outcome for c in CORPUS} == set(Outcome)
    assert all(c.bad for c in CORPUS if c.outcome is Outcome.ROW_ERRORS)


def test_zip_bombs_are_small_on_disk() -> None:
    """A bomb must pass the byte cap and be caught by what it unpacks to, else it proves nothing."""
    for name in ("sheet-xml-bomb-200mb", "shared-strings-bomb-200mb", "too-many-zip-members",
                 "undeclared-far-cell-xfd100000"):
        assert len(BY_NAME[name].data) < 2 * 1024 * 1024, name


def test_refusal_for_a_missing_column_lists_the_headers_it_found() -> None:
    message = load_or_refuse(BY_NAME["no-identifier-column"].data, "r.csv")
    assert isinstance(message, str) and "UPN" in message.split("Headers found:")[-1]


@pytest.mark.parametrize("case", [_param(c) for c in CORPUS if not c.isolate])
def test_bad_spreadsheet_is_refused_or_explained_row_by_row(case: BadFile) -> None:
    assert_expected(case, load_or_refuse(case.data, case.filename))


def test_same_bad_file_same_outcome() -> None:
    """No hidden state between imports: a refused file leaves nothing behind that changes the next one."""
    case = BY_NAME["csv-formulas"]
    first = load_or_refuse(case.data, case.filename)
    for other in ("vba-project-inside-xlsx", "utf16-le-without-bom", "sheet-xml-bomb-200mb"):
        load_or_refuse(BY_NAME[other].data, BY_NAME[other].filename)
    again = load_or_refuse(case.data, case.filename)
    assert isinstance(first, ImportResult) and isinstance(again, ImportResult)
    assert first.as_dict() == again.as_dict()


_CHILD = """
import json, sys
from teams_sip.domain.roster import ImportRefused
from teams_sip.importing.roster_file import load_roster
from tests.faults.corpus import CORPUS
case = next(c for c in CORPUS if c.name == sys.argv[1])
try:
    result = load_roster(case.data, case.filename)
except ImportRefused as exc:
    print(json.dumps({"refused": str(exc)}))
else:
    print(json.dumps({"summary": result.summary}))
"""


def _limit_memory() -> None:
    limit = 3 * 1024**3  # a runaway allocation fails fast instead of swapping the machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("case", [_param(c) for c in CORPUS if c.isolate])
def test_file_that_could_kill_the_process_is_refused(case: BadFile) -> None:
    child = subprocess.run([sys.executable, "-c", _CHILD, case.name], cwd=ROOT, capture_output=True, text=True,
                           timeout=120, preexec_fn=_limit_memory)
    assert child.returncode == 0, f"exit {child.returncode}: {child.stderr[-400:]}"
    outcome = json.loads(child.stdout)
    assert "refused" in outcome, f"expected a refusal, got a result: {outcome}"
    assert_clean_message(outcome["refused"])
    assert_expected(case, outcome["refused"])


def test_messages_stay_short_whatever_the_cell() -> None:
    cell = load_or_refuse(BY_NAME["one-megabyte-cell"].data, "r.csv")
    header = load_or_refuse(b"Column," * 2_000 + b"\n1,2\n", "r.csv")
    assert isinstance(cell, ImportResult) and isinstance(header, str)
    assert max(len(i.message) for r in cell.rows for i in r.errors) < 1_000
    assert len(header) < 1_000


def test_a_very_wide_csv_is_refused_quickly() -> None:
    started = time.perf_counter()
    load_or_refuse(b"x," * 10_000 + b"\n1,2\n", "r.csv")
    assert time.perf_counter() - started < 0.3


# ---- the CLI, as an admin runs it ------------------------------------------------------------------

CLI_SUBSET = ("utf16-le-without-bom", "csv-formulas", "xlsx-formulas-never-calculated", "vba-project-inside-xlsx",
              "sheet-xml-bomb-200mb")


def test_validate_command_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    runs: list[tuple[str, int, bool, subprocess.Popen[str]]] = []
    jobs = [(BY_NAME[n].filename, BY_NAME[n].data, 2 if BY_NAME[n].outcome is Outcome.REFUSED else 1, n)
            for n in CLI_SUBSET]
    jobs.append(("good.xlsx", good_xlsx(), 0, "good"))
    for i, (filename, data, expected, name) in enumerate(jobs):
        path = tmp_path / f"{i}-{filename}"
        path.write_bytes(data)
        as_json = i % 3 == 0
        command = [sys.executable, "-m", "teams_sip", "validate", str(path), *(["--json"] if as_json else [])]
        runs.append((name, expected, as_json, subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                                              stderr=subprocess.PIPE, text=True)))
    for name, expected, as_json, proc in runs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == expected, (name, proc.returncode, err[-400:])
        assert "Traceback" not in err and "Traceback" not in out, name
        if expected == 2:
            assert err.startswith("File refused: ") and len(err.strip().splitlines()) == 1, (name, err)
        else:
            assert err == "", (name, err)
        if as_json:
            document = json.loads(out)
            assert ("refused" in document) == (expected == 2), name
            if expected == 1:
                assert document["summary"]["rejected"] > 0


# ---- hypothesis: arbitrary input -------------------------------------------------------------------

NAMES = st.sampled_from(["r.csv", "r.xlsx", "r.txt", "roster", "r.xls", "r.xlsb", "r.ods"])
PREFIXES = st.sampled_from([b"", b"PK\x03\x04", bytes.fromhex("D0CF11E0A1B11AE1"), b"\xef\xbb\xbf", b"\xff\xfe",
                            b"\xfe\xff", (HEADER + "\n").encode(), b"IPEI;UPN;Site\r\n"])
FUZZ = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(PREFIXES, st.binary(max_size=3000), NAMES)
def test_arbitrary_bytes_give_a_result_or_a_refusal(prefix: bytes, data: bytes, name: str) -> None:
    load_or_refuse(prefix + data, name)


CELL_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
ROWS = st.lists(st.lists(CELL_TEXT, min_size=1, max_size=6), max_size=8)


@FUZZ
@given(st.sampled_from([HEADER, "Handset IPEI;Email;Location", "MAC\tUser", ""]), ROWS,
       st.sampled_from([",", ";", "\t"]), st.booleans(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       NAMES)
def test_arbitrary_text_csv_gives_a_result_or_a_refusal(header: str, rows: list[list[str]], delimiter: str,
                                                        quoted: bool, encoding: str, name: str) -> None:
    if quoted:
        buffer = io.StringIO()
        csvlib.writer(buffer, delimiter=delimiter).writerows(rows)
        body = buffer.getvalue()
    else:
        body = "\n".join(delimiter.join(row) for row in rows)
    load_or_refuse(f"{header}\n{body}".encode(encoding, errors="replace"), name.replace(".xlsx", ".csv"))


XML_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)


@FUZZ
@given(st.lists(st.lists(st.one_of(XML_TEXT, st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
                         min_size=1, max_size=5), max_size=8))
def test_arbitrary_cells_in_a_workbook_give_a_result_or_a_refusal(rows: list[list[str | int | float]]) -> None:
    load_or_refuse(xlsx(["IPEI", "UPN", "Site", "Install date"], *rows), "r.xlsx")


_VALID = good_xlsx()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(_VALID) - 1), st.integers(1, 255)), min_size=1, max_size=4))
def test_damaged_workbook_bytes_give_a_result_or_a_refusal(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID)
    for at, mask in flips:
        data[at] ^= mask
    load_or_refuse(bytes(data), "r.xlsx")


def test_corpus_builders_make_valid_workbooks_when_undamaged() -> None:
    """Control: the refusals above come from the damage, not from a broken hand-made workbook."""
    result = load_or_refuse(zip_parts(workbook_parts(sheet_xml([["IPEI", "UPN", "Site"],
                                                                ["0DEADBEEF4", "a@contoso.com", "HQ"]]))), "ok.xlsx")
    assert isinstance(result, ImportResult) and result.summary["accepted"] == 1


def _mutated(data: bytes, changes: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for at, value in changes:
        out[at % len(out)] = value
    return bytes(out)


def _rezipped(data: bytes, part: str, changes: list[tuple[int, int]]) -> bytes:
    """The workbook with one part's *unpacked* bytes changed: the record walkers, not zip's CRC, meet them."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts:
            out.writestr(name, _mutated(content, changes) if name == part else content)
    return buffer.getvalue()


CHANGES = st.lists(st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(0, 255)), min_size=1,
                   max_size=12)
_XLSB = xlsb([("Roster", [["IPEI", "UPN", "Site"], GOOD.split(",")])])
_ODS = ods([("Roster", [["IPEI", "UPN", "Site"], GOOD.split(",")])])


@FUZZ
@given(CHANGES, st.sampled_from(["roster.xls", "hidden-first-sheet.xls", "far-cell.xls"]))
def test_damaged_xls_gives_a_result_or_a_refusal(changes: list[tuple[int, int]], fixture: str) -> None:
    """The compound-file and BIFF walkers read every offset and count from the file: none may raise."""
    load_or_refuse(_mutated(xls_fixture(fixture), changes), "r.xls")


@FUZZ
@given(CHANGES, st.sampled_from([("r.xlsb", "xl/worksheets/sheet1.bin"), ("r.xlsb", "xl/workbook.bin"),
                                 ("r.ods", "content.xml")]))
def test_damaged_xlsb_and_ods_parts_give_a_result_or_a_refusal(changes: list[tuple[int, int]],
                                                              where: tuple[str, str]) -> None:
    name, part = where
    load_or_refuse(_rezipped(_XLSB if name == "r.xlsb" else _ODS, part, changes), name)
