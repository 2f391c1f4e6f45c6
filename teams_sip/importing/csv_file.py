"""CSV to rows of text: encoding by BOM (UTF-8, UTF-16) or trial (UTF-8, then Windows-1252),
delimiter sniffed from the header line, every cell kept as the exact text the admin saved."""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass

import pandas as pd

from teams_sip.domain.roster import ImportRefused

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class TextTable:
    rows: list[list[str]]
    encoding: str
    delimiter: str


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Refuses binary content and bytes that no supported encoding explains."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, encoding
    raise ImportRefused(
        "The file is not readable text: save it from Excel as 'CSV UTF-8 (Comma delimited)' or as .xlsx."
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line most often (outside quotes); comma on a tie."""
    line = next((ln for ln in text.splitlines() if ln.strip()), "")
    unquoted = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(data: bytes, row_limit: int) -> TextTable:
    """At most `row_limit` lines are parsed, so an oversized file costs no more than the cap."""
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, nrows=row_limit, engine="c", quotechar='"',
        )
    except pd.errors.EmptyDataError as exc:
        raise ImportRefused("The file is empty: it needs a header row and one row per handset.") from exc
    except pd.errors.ParserError as exc:
        raise ImportRefused(
            f"The CSV file is malformed ({str(exc).strip()}). Check for a stray '{delimiter}' or quote in that line."
        ) from exc
    return TextTable(frame.fillna("").to_numpy(dtype=object).tolist(), encoding, delimiter)
