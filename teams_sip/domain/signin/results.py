"""Reading the result file of a bulk sign-in batch (written by the script in scripts.py, or exported by
hand from `Get-CsSdgBulkSignInRequestStatus`), with a clear error instead of a guess."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from teams_sip.domain.signin.errors import ErrorMeaning, meaning_of


class ResultFileError(ValueError):
    """The file cannot be read as a bulk sign-in result; the message says why."""


@dataclass(frozen=True)
class ResultItem:
    username: str
    hardware_id: str | None  # 12 upper-case hex, when the file carries it
    status: str
    error: str
    meaning: ErrorMeaning


@dataclass(frozen=True)
class BatchResult:
    reference: str | None
    batch_id: str | None
    items: tuple[ResultItem, ...]


def _hardware_id(text: str) -> str | None:
    digits = "".join(c for c in text if c not in "-: ").upper()
    return digits if len(digits) == 12 and all(c in "0123456789ABCDEF" for c in digits) else None


def _key(header: str) -> str:
    """A column name as matched: "Hardware ID", "hardware_id" and "HardwareId" are one column."""
    return "".join(c for c in header.casefold() if c not in " _-")


def parse_result_file(data: bytes) -> BatchResult:
    """Each item's hardware id comes from its HardwareId cell when there (the status names the device);
    without it the sign-in stage matches the item by username."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResultFileError("the result file is not UTF-8 text") from exc
    reader = csv.DictReader(io.StringIO(text))
    fields = {_key(name): name for name in reader.fieldnames or []}
    missing = [col for col in ("username", "status") if col not in fields]
    if missing:
        raise ResultFileError(f"the result file has no {' or '.join(missing)} column")

    def cell(row: dict[str, str | None], key: str) -> str:
        name = fields.get(key)
        return (row.get(name) or "").strip() if name else ""

    items: list[ResultItem] = []
    references: set[str] = set()
    batch_ids: set[str] = set()
    for row in reader:
        username = cell(row, "username")
        if not username:
            continue
        status, error = cell(row, "status"), cell(row, "error")
        if cell(row, "reference"):
            references.add(cell(row, "reference"))
        if cell(row, "batchid"):
            batch_ids.add(cell(row, "batchid"))
        items.append(ResultItem(username.lower(), _hardware_id(cell(row, "hardwareid")), status, error,
                                meaning_of(status, error)))
    if len(references) > 1 or len(batch_ids) > 1:
        raise ResultFileError("the result file mixes several batches; upload one file per batch")
    if not items:
        raise ResultFileError("the result file lists no devices")
    return BatchResult(next(iter(references), None), next(iter(batch_ids), None), tuple(items))
