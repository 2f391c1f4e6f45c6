"""The roster row check against Microsoft's compatible-device list (firmware_table.py).

A model on the list with a minimum is checked against it. A model the list names without a minimum
(Yealink) gets its approved version as guidance only. A model the list does not name is flagged as
not on Microsoft's compatible-device list, never presented as supported; a model teams-sip does not
know at all is a warning, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS, DeviceKind, ModelMatch, find_model
from teams_sip.domain.readiness.firmware_table import MINIMUM_FIRMWARE, NOT_LISTED, PLAN_ARTICLE, MinimumFirmware
from teams_sip.domain.readiness.firmware_version import FirmwareVersion, parse_firmware

__all__ = ["MINIMUM_FIRMWARE", "Finding", "MinimumFirmware", "Severity", "firmware_findings", "minimum_for"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """An error stops the row's code from being issued; a warning is shown and the row goes on."""

    severity: Severity
    message: str


def minimum_for(vendor: str, model: str) -> MinimumFirmware | None:
    for row in MINIMUM_FIRMWARE:
        if row.vendor == vendor and row.model == model:
            return row
    return None


def _blank(value: str | None) -> str | None:
    return value.strip() if value is not None and value.strip() else None


def firmware_findings(model: str | None, handset_fw: str | None, base_fw: str | None) -> list[Finding]:
    """Checks one roster row's optional model and firmware columns against MINIMUM_FIRMWARE."""
    model, handset_fw, base_fw = _blank(model), _blank(handset_fw), _blank(base_fw)
    given = {DeviceKind.HANDSET: handset_fw, DeviceKind.BASE: base_fw}
    if model is None:
        if handset_fw or base_fw:
            return [Finding(Severity.WARNING, "Firmware is given without a model, so it was not checked: "
                                              "add the model (for example Rove 30).")]
        return []
    match = find_model(model)
    if match is None:
        return [Finding(Severity.WARNING, f"Model {model!r} is not in teams-sip's DECT systems table "
                                          f"({', '.join(s.vendor for s in DECT_SYSTEMS)}), so its firmware was "
                                          "not checked and teams-sip cannot tell whether it is on Microsoft's "
                                          f"compatible-device list ({PLAN_ARTICLE}): confirm it there.")]
    named = minimum_for(match.system.vendor, match.model) if match.model else None
    if named is not None and not named.listed:
        return [_not_listed(f"{named.vendor} {named.model} is {NOT_LISTED}")]
    if not any(row.listed for row in MINIMUM_FIRMWARE if row.vendor == match.system.vendor):
        return [_not_listed(f"No {match.system.vendor} DECT model is on Microsoft's compatible-device list")]
    findings: list[Finding] = []
    for kind, text in given.items():
        if text is None:
            continue
        version = parse_firmware(text)
        label = f"{kind.value.capitalize()} firmware"
        if version is None:
            findings.append(Finding(Severity.ERROR, f"{label} {text!r} is not a version number "
                                                    "(expected digits and dots, e.g. 8.0.5.0002, or PCS22D)."))
            continue
        findings += _check(match, kind, version, label)
    if not findings and not any(given.values()) and not _any_verified(match):
        findings.append(_no_minimum(match))
    return list(dict.fromkeys(findings))


def _rows_for(match: ModelMatch, kind: DeviceKind) -> list[MinimumFirmware]:
    """The listed row for the named model; for the other component, every listed model of that kind."""
    if match.model is not None and match.kind is kind:
        row = minimum_for(match.system.vendor, match.model)
        return [row] if row is not None and row.listed else []
    return [row for row in MINIMUM_FIRMWARE if row.vendor == match.system.vendor and row.kind is kind and row.listed]


def _any_verified(match: ModelMatch) -> bool:
    return any(row.verified for row in MINIMUM_FIRMWARE if row.vendor == match.system.vendor)


def _name(match: ModelMatch) -> str:
    return f"{match.system.vendor} {match.model}" if match.model else match.system.vendor


def _not_listed(lead: str) -> Finding:
    return Finding(Severity.WARNING, f"{lead} ({PLAN_ARTICLE}): it may not work with SIP Gateway, "
                                     "and its firmware was not checked. Confirm support with the vendor first.")


def _no_minimum(match: ModelMatch, kind: DeviceKind | None = None) -> Finding:
    """For the named model, or (`kind` other than the model's) for that component of the system."""
    if kind is not None and kind is not match.kind:
        return Finding(Severity.WARNING, f"Microsoft lists no minimum firmware for {match.system.vendor} "
                                         f"{kind.value}s; that firmware was not checked.")
    named = minimum_for(match.system.vendor, match.model) if match.model else None
    approved = f", only the approved version {named.approved} as guidance" if named and named.approved else ""
    return Finding(Severity.WARNING, f"Microsoft lists no minimum firmware for {_name(match)}{approved}; its "
                                     "firmware was not checked against a minimum.")


def _same_scheme(rows: list[tuple[MinimumFirmware, FirmwareVersion]], version: FirmwareVersion, label: str
                 ) -> Finding | None:
    other = next((row for row, wanted in rows if wanted.scheme != version.scheme), None)
    if other is None:
        return None
    return Finding(Severity.ERROR, f"{label} {version} is not written as {other.vendor} writes its versions "
                                   f"(e.g. {other.version or other.approved}); check the value.")


def _check(match: ModelMatch, kind: DeviceKind, version: FirmwareVersion, label: str) -> list[Finding]:
    rows = _rows_for(match, kind)
    needs = [(row, row.minimum) for row in rows if row.minimum is not None]
    if not needs:
        return _guidance(match, rows, version, label)
    mismatch = _same_scheme(needs, version, label)
    if mismatch is not None:
        return [mismatch]
    lowest_row, lowest = min(needs, key=lambda pair: pair[1])
    if version < lowest:
        what = lowest_row.model if len(needs) == 1 else f"any {match.system.vendor} {kind.value}"
        return [Finding(Severity.ERROR, f"{label} {version} is below the minimum {lowest_row.version} for {what} "
                                        f"(source: {lowest_row.source}). Update it before the install day.")]
    short = [f"{row.model} needs {row.version}" for row, minimum in needs if version < minimum]
    if short:
        return [Finding(Severity.WARNING, f"{label} {version} is enough for some {match.system.vendor} models but "
                                          f"not all ({', '.join(short)}); check which model is installed.")]
    return []


def _guidance(match: ModelMatch, rows: list[MinimumFirmware], version: FirmwareVersion, label: str) -> list[Finding]:
    """No minimum is listed: compare with the approved version(s), as guidance (a warning at most)."""
    approved = [(row, floor) for row in rows if (floor := row.approved_floor) is not None]
    if not approved:
        return [_no_minimum(match, rows[0].kind if rows else None)]
    mismatch = _same_scheme(approved, version, label)
    if mismatch is not None:
        return [mismatch]
    row, floor = min(approved, key=lambda pair: pair[1])
    if version < floor:
        what = row.model if len(approved) == 1 else f"{match.system.vendor} {row.kind.value}s"
        return [Finding(Severity.WARNING, f"{label} {version} is below Microsoft's approved version for {what} "
                                          f"({row.approved}). Microsoft lists no minimum, so this is guidance: "
                                          "update it if you can.")]
    return []
