"""Handset identifiers: DECT IPEIs and desk-phone MACs, in every form admins type them.

Teams knows a device by one "hardware id" (12 upper-case hex digits; an IPEI becomes `00` + its
10 hex digits). Admins paste IPEIs in hex or printed decimal, MACs with any separator, and
spreadsheets damage long numbers on the way. `parse_identifier` turns all of that into one
`DeviceIdentity` or a precise reason, and never guesses silently: every repair and every
ambiguity it settles is reported as a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from operator import mul

EMC_MAX = 0xFFFF  # 16-bit manufacturer code
PSN_MAX = 0xFFFFF  # 20-bit serial number


SHOWN = 60  # characters of a cell quoted back in a message; a 1 MB cell must not make a 1 MB message


# Control, format (zero-width, direction marks), private-use and unassigned characters, and every
# separator but the plain space, are shown escaped (`<U+200B>`): a message must not be reordered on
# screen by a cell's U+202E, hide a U+2060 in a UPN that "looks right", nor carry a NUL into a log line.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs"})


def _escape_char(c: str) -> str:
    return f"<U+{ord(c):04X}>"


def visible(text: str) -> str:
    """`text` with every invisible or layout-changing character written as `<U+XXXX>`."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape_char(c) if c != " " and unicodedata.category(c) in _HIDDEN_CATEGORIES else c
                   for c in text)


def excerpt(text: str, limit: int = SHOWN) -> str:
    """The start of `text`, marked as cut and with its full length, when longer than `limit`."""
    shown = text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
    return visible(shown)


def quoted(text: str, limit: int = SHOWN) -> str:
    """A cell's value as messages quote it: `'text'`, cut to `limit` characters."""
    shown = f"'{text}'" if len(text) <= limit else f"'{text[:limit]}…' ({len(text):,} characters)"
    return visible(shown)


class IdKind(StrEnum):
    IPEI = "ipei"
    MAC = "mac"


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """A validated handset. `hardware_id` is what Teams, TAC and bulk sign-in key devices by."""

    kind: IdKind
    hardware_id: str  # 12 upper-case hex digits, no separators

    @property
    def dashed(self) -> str:
        """`XX-XX-XX-XX-XX-XX`: the form TAC's "MAC id" column and bulk sign-in CSVs use."""
        h = self.hardware_id
        return "-".join(h[i : i + 2] for i in range(0, 12, 2))

    @property
    def ipei_hex(self) -> str | None:
        return self.hardware_id[2:] if self.kind is IdKind.IPEI else None

    @property
    def ipei_decimal(self) -> str | None:
        """13 characters: EMC (5 digits), PSN (7 digits), check digit (`0`-`9` or `*`)."""
        if self.kind is not IdKind.IPEI:
            return None
        digits = f"{int(self.hardware_id[3:7], 16):05d}{int(self.hardware_id[7:], 16):07d}"
        return digits + check_digit(digits)

    @property
    def ipei_spaced(self) -> str | None:
        """`EEEEE PPPPPPP C`, as printed on Mitel and many handset stickers."""
        d = self.ipei_decimal
        return None if d is None else f"{d[:5]} {d[5:12]} {d[12]}"

    def forms(self) -> dict[str, str]:
        """Every printed form, for display (`teams-sip id`) and reports."""
        out = {"kind": self.kind.value, "hardware_id": self.hardware_id, "dashed": self.dashed}
        if self.kind is IdKind.IPEI:
            out["ipei_hex"] = self.ipei_hex or ""
            out["ipei_decimal"] = self.ipei_decimal or ""
            out["ipei_spaced"] = self.ipei_spaced or ""
        return out

    @classmethod
    def from_ipei(cls, emc: int, psn: int) -> DeviceIdentity:
        if not (0 <= emc <= EMC_MAX and 0 <= psn <= PSN_MAX):
            raise ValueError("EMC or PSN out of range")
        return cls(IdKind.IPEI, f"000{emc:04X}{psn:05X}")


@dataclass(frozen=True, slots=True)
class IdResult:
    """Either an identity or the reason there is none; warnings explain repairs and decisions."""

    identity: DeviceIdentity | None
    reason: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.identity is not None


def check_digit(twelve_digits: str) -> str:
    """Sum of each digit times its position (1..12), mod 11; 10 is written `*`."""
    total = sum(map(mul, map(int, twelve_digits), range(1, 13))) % 11
    return "*" if total == 10 else str(total)


_SCI = re.compile(r"^[+-]?([0-9]+)(?:[.,]([0-9]*))?[eE]([+-]?[0-9]+)$")
_FLOAT_ZERO = re.compile(r"^([0-9]+)[.,]0+$")
_SEPARATORS = re.compile(r"[\s\-:._\u2010-\u2015]")
_PLAIN_HEX_IPEI = re.compile(r"^0[0-9A-Fa-f]{9}$")
_HEX = re.compile(r"^[0-9A-F]+$")
_DECIMAL_IPEI = re.compile(r"^[0-9]{12}[0-9*]$")
_MAC_SHAPED = re.compile(r"^[0-9A-F]{2}([-:])(?:[0-9A-F]{2}\1){4}[0-9A-F]{2}$|^[0-9A-F]{4}(\.[0-9A-F]{4}){2}$", re.I)


def parse_identifier(text: str, declared: IdKind | None = None) -> IdResult:
    """Read what an admin typed. `declared` is the column's kind (IPEI column, MAC column) or None."""
    raw = text.strip().strip("'\"").strip()
    if _PLAIN_HEX_IPEI.match(raw):  # the common clean case, kept fast for large rosters
        ident = DeviceIdentity(IdKind.IPEI, "00" + raw.upper())
        if declared is IdKind.MAC:
            return IdResult(ident, warnings=(f"{quoted(raw)} is a 10-hex-digit IPEI in a MAC column; read as IPEI",))
        return IdResult(ident)
    if not raw:
        return IdResult(None, "empty identifier")
    warnings: list[str] = []

    sci = _SCI.match(raw)
    if sci and ("." in raw or "," in raw or "+" in raw or "-" in raw):
        repaired = _expand_scientific(sci)
        if repaired is None:
            return IdResult(
                None,
                f"{quoted(raw)} is scientific notation: the spreadsheet dropped digits. "
                "Format the column as Text and type the identifier again",
            )
        warnings.append(f"{quoted(raw)} was in scientific notation; all digits were present, read as {repaired}")
        raw = repaired
    elif (flt := _FLOAT_ZERO.match(raw)) is not None:
        warnings.append(f"{quoted(raw)} was stored as a number; removed the trailing '.0'")
        raw = flt.group(1)

    mac_shaped = bool(_MAC_SHAPED.match(raw))
    cleaned = _SEPARATORS.sub("", raw)
    if not cleaned.isascii():  # str.upper() turns the ligature U+FB00 into "FF": never read such a look-alike
        odd = " ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in cleaned if not c.isascii()))
        return IdResult(None, f"{quoted(raw)} contains characters that are not plain digits or letters A-F ({odd}); "
                              "type the identifier again")
    cleaned = cleaned.upper()
    had_0x = cleaned.startswith("0X")
    if had_0x:
        cleaned = cleaned[2:]
        if len(cleaned) != 10 or not _HEX.match(cleaned):
            return IdResult(None, f"{quoted(raw)}: after '0x' an IPEI needs exactly 10 hex digits")
    result = _classify(raw, cleaned, declared, mac_shaped)
    return IdResult(result.identity, result.reason, tuple(warnings) + result.warnings)


def _expand_scientific(match: re.Match[str]) -> str | None:
    """The integer behind `1.23456789012E+11` when every digit survived, else None."""
    whole, frac, exp = match.group(1), match.group(2) or "", int(match.group(3))
    digits = (whole + frac).lstrip("0")
    places = exp - len(frac)
    if places < 0 or not digits:
        return None
    if places > 0:
        return None  # trailing zeros were invented by the spreadsheet, or lost: cannot tell
    return digits


def _classify(raw: str, s: str, declared: IdKind | None, mac_shaped: bool) -> IdResult:
    if _DECIMAL_IPEI.match(s):
        return _decimal_ipei(raw, s[:12], s[12])
    bad = sorted({c for c in s if c not in "0123456789ABCDEF"})
    if bad:
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        return IdResult(None, f"{quoted(raw)} contains characters that are not hex digits: {' '.join(bad[:10])}{more}")
    if len(s) == 10 and not (s.isdigit() and s[0] != "0"):
        return _hex_ipei(raw, s, declared)
    if len(s) == 12:
        return _twelve(raw, s, declared, mac_shaped)
    if s.isdigit() and len(s) < 12:
        return _lost_zeros(raw, s)
    return IdResult(
        None,
        f"{quoted(raw)} has {len(s)} digits; an IPEI has 10 hex or 12/13 decimal digits, a MAC 12 hex digits",
    )


def _decimal_ipei(raw: str, digits: str, check: str | None) -> IdResult:
    emc, psn = int(digits[:5]), int(digits[5:])
    if emc > EMC_MAX:
        return IdResult(None, f"{quoted(raw)}: manufacturer code {emc} is above {EMC_MAX}, "
                              "so this is not a decimal IPEI")
    if psn > PSN_MAX:
        return IdResult(None, f"{quoted(raw)}: serial number {psn} is above {PSN_MAX}, so this is not a decimal IPEI")
    expected = check_digit(digits)
    if check is not None and check != expected:
        return IdResult(None, f"{quoted(raw)}: check digit is {check} but should be {expected}; check for a typo")
    return IdResult(DeviceIdentity.from_ipei(emc, psn))


def _hex_ipei(raw: str, s: str, declared: IdKind | None) -> IdResult:
    if s[0] != "0":
        hint = " It may be a base station RFPI, not a handset IPEI." if s[0] == "1" else ""
        return IdResult(None, f"{quoted(raw)}: a hex IPEI starts with 0 (IPUI type N).{hint}")
    identity = DeviceIdentity(IdKind.IPEI, "00" + s)
    warnings: tuple[str, ...] = ()
    if declared is IdKind.MAC:
        warnings = (f"{quoted(raw)} is a 10-hex-digit IPEI in a MAC column; read as IPEI",)
    return IdResult(identity, warnings=warnings)


def _twelve(raw: str, s: str, declared: IdKind | None, mac_shaped: bool) -> IdResult:
    """12 hex digits: a MAC, the Teams id of an IPEI (`00` + hex), or a decimal IPEI without check."""
    as_decimal = _decimal_ipei(raw, s, None) if s.isdigit() and not mac_shaped else None
    if as_decimal is not None and (lost := _lost_zeros(raw, s)).ok and lost.identity is not None:
        return IdResult(
            None,
            f"{quoted(raw)} is ambiguous: a 13-digit IPEI that lost its leading zero ({lost.identity.ipei_spaced}) "
            "or a 12-digit IPEI without check digit. Type it as Text with the check digit",
        )
    as_mac = _mac(raw, s)
    decimal_ok = as_decimal is not None and as_decimal.ok
    if declared is IdKind.IPEI:
        if decimal_ok and as_decimal is not None:
            note = f"; as a MAC it would be {as_mac.identity.dashed}" if as_mac.identity else ""
            return IdResult(as_decimal.identity, warnings=(f"{quoted(raw)} read as a decimal IPEI without check digit "
                                                           f"because the column holds IPEIs{note}",))
        if s.startswith("000"):
            return IdResult(DeviceIdentity(IdKind.IPEI, s),
                            warnings=(f"{quoted(raw)} read as the Teams hardware id of IPEI {s[2:]}",))
        if as_mac.ok:
            return IdResult(as_mac.identity,
                            warnings=(f"{quoted(raw)} is a MAC address in an IPEI column; read as MAC",))
        if as_decimal is not None and as_decimal.reason:
            rounded = "; its trailing zeros suggest the spreadsheet rounded it" if s.endswith("00000") else ""
            return IdResult(None, as_decimal.reason + rounded)
        return as_mac
    if decimal_ok and as_mac.ok:
        if declared is IdKind.MAC:
            return IdResult(as_mac.identity, warnings=(f"{quoted(raw)} read as a MAC because the column holds MACs; "
                                                       "it would also be a valid decimal IPEI without check digit",))
        return IdResult(
            None,
            f"{quoted(raw)} is ambiguous: a decimal IPEI without check digit or an all-digit MAC. "
            "Put it in an IPEI or MAC column, add the check digit, or write the MAC with separators",
        )
    if decimal_ok and as_decimal is not None:
        return IdResult(as_decimal.identity, warnings=(f"{quoted(raw)} read as a decimal IPEI without check digit "
                                                       "(it is not a valid MAC)",))
    return as_mac


def _mac(raw: str, s: str) -> IdResult:
    if s == "0" * 12:
        return IdResult(None, f"{quoted(raw)} is the all-zero MAC address, which no device has")
    if s == "F" * 12:
        return IdResult(None, f"{quoted(raw)} is the broadcast MAC address, which no device has")
    if int(s[:2], 16) & 1:
        return IdResult(None, f"{quoted(raw)} is a multicast MAC address (first octet odd); a phone's MAC is unicast")
    return IdResult(DeviceIdentity(IdKind.MAC, s))


def _lost_zeros(raw: str, s: str) -> IdResult:
    """Digits only, fewer than 12: a number that lost its leading zeros. Repair only if provable."""
    padded = s.zfill(13)
    if check_digit(padded[:12]) == padded[12]:
        result = _decimal_ipei(raw, padded[:12], padded[12])
        if result.ok and result.identity is not None:
            lost = 13 - len(s)
            return IdResult(
                result.identity,
                warnings=(f"{quoted(raw)} lost {lost} leading zero(s) in the spreadsheet; restored as "
                          f"{result.identity.ipei_spaced} because the check digit verifies",),
            )
    return IdResult(
        None,
        f"{quoted(raw)} has only {len(s)} digits: the spreadsheet probably dropped leading zeros and the "
        "value cannot be restored with certainty. Format the column as Text and type it again",
    )
