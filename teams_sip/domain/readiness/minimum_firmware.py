"""Minimum firmware per model, in ONE table with the source of each value, and the row check.

Only values a Microsoft page states are filled in (docs/microsoft.md, firmware). A model without a
documented minimum carries `version=None`: the check then warns that it could not verify, rather
than invent a number or pass silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS, DeviceKind, ModelMatch, find_model
from teams_sip.domain.readiness.firmware_version import FirmwareVersion, parse_firmware

_ROVE_SOURCE = "Plan for SIP Gateway (Poly Rove base and handset 8.0.5.0002 or later)"
_ROVE_B1_SOURCE = _ROVE_SOURCE + "; B1 is not named there, the Rove base minimum is applied"
_ROVE_20_SOURCE = "Plan for SIP Gateway (Rove 20: 8.0.5.0003)"


@dataclass(frozen=True)
class MinimumFirmware:
    vendor: str
    model: str
    kind: DeviceKind
    version: str | None
    source: str | None

    @property
    def verified(self) -> bool:
        return self.version is not None and self.source is not None

    @property
    def minimum(self) -> FirmwareVersion | None:
        return parse_firmware(self.version) if self.verified and self.version else None


def _unverified(vendor: str, models: tuple[str, ...], kind: DeviceKind) -> tuple[MinimumFirmware, ...]:
    return tuple(MinimumFirmware(vendor, model, kind, None, None) for model in models)


def _table() -> tuple[MinimumFirmware, ...]:
    rows: list[MinimumFirmware] = [
        MinimumFirmware("Poly Rove", "B1", DeviceKind.BASE, "8.0.5.0002", _ROVE_B1_SOURCE),
        MinimumFirmware("Poly Rove", "B2", DeviceKind.BASE, "8.0.5.0002", _ROVE_SOURCE),
        MinimumFirmware("Poly Rove", "B4", DeviceKind.BASE, "8.0.5.0002", _ROVE_SOURCE),
        MinimumFirmware("Poly Rove", "Rove 20", DeviceKind.HANDSET, "8.0.5.0003", _ROVE_20_SOURCE),
        MinimumFirmware("Poly Rove", "Rove 30", DeviceKind.HANDSET, "8.0.5.0002", _ROVE_SOURCE),
        MinimumFirmware("Poly Rove", "Rove 40", DeviceKind.HANDSET, "8.0.5.0002", _ROVE_SOURCE),
    ]
    # No documented minimum for the other vendors (no Microsoft page names one): unverified, never invented.
    for system in DECT_SYSTEMS:
        if system.vendor != "Poly Rove":
            rows += _unverified(system.vendor, system.bases, DeviceKind.BASE)
            rows += _unverified(system.vendor, system.handsets, DeviceKind.HANDSET)
    return tuple(rows)


MINIMUM_FIRMWARE: tuple[MinimumFirmware, ...] = _table()


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
        return [Finding(Severity.WARNING, f"Model {model!r} is not in the supported DECT systems table "
                                          f"({', '.join(s.vendor for s in DECT_SYSTEMS)}); its firmware was "
                                          "not checked. Confirm the model is on Microsoft's SIP Gateway "
                                          "compatible-devices list and at its minimum firmware.")]
    findings: list[Finding] = []
    for kind, text in given.items():
        if text is None:
            continue
        version = parse_firmware(text)
        label = f"{kind.value.capitalize()} firmware"
        if version is None:
            findings.append(Finding(Severity.ERROR, f"{label} {text!r} is not a version number "
                                                    "(expected digits and dots, e.g. 8.0.5.0002)."))
            continue
        findings += _check(match, kind, version, label)
    if not findings and not _any_verified(match):
        findings.append(_unverified_warning(match))
    return list(dict.fromkeys(findings))


def _rows_for(match: ModelMatch, kind: DeviceKind) -> list[MinimumFirmware]:
    """The row for the named model; for the other component, every model of that kind in the system."""
    if match.model is not None and match.kind is kind:
        row = minimum_for(match.system.vendor, match.model)
        return [row] if row is not None else []
    return [row for row in MINIMUM_FIRMWARE if row.vendor == match.system.vendor and row.kind is kind]


def _any_verified(match: ModelMatch) -> bool:
    return any(row.verified for row in MINIMUM_FIRMWARE if row.vendor == match.system.vendor)


def _unverified_warning(match: ModelMatch) -> Finding:
    name = f"{match.system.vendor} {match.model}" if match.model else match.system.vendor
    return Finding(Severity.WARNING, f"teams-sip has no verified minimum firmware for {name}; its firmware was not "
                                     "checked. Confirm it against the vendor's SIP Gateway release notes.")


def _check(match: ModelMatch, kind: DeviceKind, version: FirmwareVersion, label: str) -> list[Finding]:
    needs = [(row, row.minimum) for row in _rows_for(match, kind) if row.minimum is not None]
    if not needs:
        return [_unverified_warning(match)]
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
