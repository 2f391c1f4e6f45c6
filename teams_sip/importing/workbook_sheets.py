"""Which sheet of a workbook is the roster, and which of its rows the admin hid.

A workbook's first sheet may be a hidden, stale copy, and the handsets may be on the second sheet:
the first *visible* sheet is read unless the admin names one (`--sheet`, the `sheet` field), and
every refusal names the sheets there are. Rows hidden by hand or filtered out by an AutoFilter
are not imported (the admin did not see them when saving) and are listed in the report; a row the
file then no longer holds is kept or reported as dropped by the import's roster rules.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass

from teams_sip.domain.identifiers import quoted
from teams_sip.domain.roster import ImportRefused

_TAG_ATTRS = re.compile(r'([\w:]+)="([^"]*)"')
_SHEET_TAG = re.compile(r"<(?:\w+:)?sheet\b[^>]*>")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_HIDDEN = re.compile(rb"""[\s"']hidden\s*=\s*["'](?:1|true)["']""")
_ROW_NUMBER = re.compile(rb"""[\s"']r\s*=\s*["']([0-9]{1,9})["']""")
_AUTO_FILTER = re.compile(rb"<(?:[\w.-]+:)?autoFilter[\s/>]")
SHOWN_SHEETS = 12


@dataclass(frozen=True, slots=True)
class SheetInfo:
    name: str
    visible: bool
    path: str | None = None  # the part holding it, for XLSX


def describe(sheets: tuple[SheetInfo, ...], chosen: str | None) -> str:
    """`The workbook's sheets: 'Roster' (read), 'Old' (hidden). Choose one with --sheet NAME ...`"""
    parts = [quoted(s.name) + (" (read)" if s.name == chosen else "" if s.visible else " (hidden)")
             for s in sheets[:SHOWN_SHEETS]]
    more = f" and {len(sheets) - SHOWN_SHEETS} more" if len(sheets) > SHOWN_SHEETS else ""
    return (f"The workbook's sheets: {', '.join(parts)}{more}. To read another, name it with --sheet NAME "
            "(command line) or the sheet field (upload).")


def choose(sheets: tuple[SheetInfo, ...], wanted: str | None, filename: str) -> SheetInfo:
    """The named sheet (exact, else ignoring case and outer spaces), else the first visible one."""
    if wanted is not None and wanted.strip():
        exact = [s for s in sheets if s.name == wanted]
        loose = [s for s in sheets if s.name.strip().casefold() == wanted.strip().casefold()]
        if exact or len(loose) == 1:
            return (exact or loose)[0]
        raise ImportRefused(f"{filename} has no sheet named {quoted(wanted)}. {describe(sheets, None)}")
    for sheet in sheets:
        if sheet.visible:
            return sheet
    raise ImportRefused(f"{filename} has no visible sheet. {describe(sheets, None)}")


def xlsx_sheets(zf: zipfile.ZipFile) -> tuple[SheetInfo, ...]:
    """Every sheet in workbook order, with its visibility and part (regex over capped text, no XML parser)."""
    try:
        workbook = zf.read("xl/workbook.xml")[:1_000_000].decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels")[:1_000_000].decode("utf-8", "replace")
    except KeyError:
        return ()
    targets = relationship_targets(rels)
    sheets = []
    for tag in _SHEET_TAG.findall(workbook):
        pairs = _TAG_ATTRS.findall(tag)
        values = dict(pairs)
        rid = next((v for k, v in pairs if k.endswith(":id")), "")
        name = _unescape(values.get("name", ""))
        sheets.append(SheetInfo(name, values.get("state", "visible") == "visible", targets.get(rid)))
    return tuple(sheets)


def relationship_targets(rels: str) -> dict[str, str]:
    """Relationship id -> part path, from a workbook's relationships part (targets relative to xl/)."""
    targets: dict[str, str] = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_TAG_ATTRS.findall(tag))
        if "Id" in attrs and "Target" in attrs:
            target = attrs["Target"]
            targets[attrs["Id"]] = (target.lstrip("/") if target.startswith("/")
                                    else posixpath.normpath(posixpath.join("xl", target)))
    return targets


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def hidden_rows(xml: bytes) -> tuple[tuple[int, ...], bool]:
    """(numbers of rows marked hidden, whether the sheet has an AutoFilter) from a sheet part."""
    if b"hidden" not in xml:
        return (), _AUTO_FILTER.search(xml) is not None
    rows = []
    previous = 0
    for tag in _ROW_TAG.finditer(xml):
        attrs = tag.group(1)
        number = _ROW_NUMBER.search(attrs)
        previous = int(number.group(1)) if number else previous + 1
        if _HIDDEN.search(attrs):
            rows.append(previous)
    return tuple(rows), _AUTO_FILTER.search(xml) is not None
