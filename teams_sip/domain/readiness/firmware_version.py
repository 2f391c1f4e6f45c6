"""Firmware version numbers compared numerically, component by component.

Vendors pad components with zeros (`8.0.5.0002`) and admins often type them without
(`8.0.5.2`); a string comparison would also put `8.0.10.0001` below `8.0.5.0002`.
Spectralink names its DECT releases `PCS` + a release number + revision letters (`PCS22B`,
`PCS23Ca`): those parse into their own scheme, ordered by number then letters, and never compare
with dotted numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"[vV]?([0-9]{1,9}(?:\.[0-9]{1,9}){0,7})")
_PCS = re.compile(r"PCS([0-9]{1,3})([A-Za-z]{1,3})", re.IGNORECASE)


@total_ordering
@dataclass(frozen=True, eq=False)
class FirmwareVersion:
    """A parsed version; `8.0.5`, `8.0.5.0` and `8.0.5.0000` are equal (missing parts count as 0)."""

    parts: tuple[int, ...]
    text: str
    scheme: str = ""  # "" for dotted numbers, "PCS" for Spectralink releases

    @property
    def _key(self) -> tuple[int, ...]:
        parts = list(self.parts)
        while len(parts) > 1 and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FirmwareVersion) and self.scheme == other.scheme and self._key == other._key

    def __lt__(self, other: FirmwareVersion) -> bool:
        if self.scheme != other.scheme:
            raise TypeError(f"{self.text} and {other.text} are versions of different schemes")
        width = max(len(self.parts), len(other.parts))
        mine = self.parts + (0,) * (width - len(self.parts))
        theirs = other.parts + (0,) * (width - len(other.parts))
        return mine < theirs

    def __hash__(self) -> int:
        return hash((self.scheme, self._key))

    def __str__(self) -> str:
        return self.text


def parse_firmware(text: str) -> FirmwareVersion | None:
    """The version in `text` (`8.0.5.0002`, ` v8.0.5.2 `), or None when it is not a version number.

    ASCII digits only: a spreadsheet that turned the cell into a date or a float is caught, not guessed.
    """
    cleaned = text.strip()
    pcs = _PCS.fullmatch(cleaned)
    if pcs is not None:  # letters count from 1, so PCS22A < PCS22Ab < PCS22B
        letters = tuple(ord(c) - ord("a") + 1 for c in pcs.group(2).lower())
        return FirmwareVersion(parts=(int(pcs.group(1)), *letters), text=cleaned, scheme="PCS")
    match = _VERSION.fullmatch(cleaned)
    if match is None:
        return None
    parts = tuple(int(part) for part in match.group(1).split("."))
    return FirmwareVersion(parts=parts, text=cleaned)
