"""The DECT systems teams-sip knows, the identifier form each vendor shows, and where to find it.

The import uses this table to tell the admin where on the handset, on its label or in which web
page the identifier is, and to recognise the model column. Facts marked `verified=False` are
field practice that Microsoft and the vendors do not document in one place (docs/microsoft.md,
"Compatible devices and firmware"): correct them here, nowhere else. Which models Microsoft lists
as compatible, and at which firmware, is the table in firmware_table.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class DeviceKind(StrEnum):
    BASE = "base"
    HANDSET = "handset"


class Place(StrEnum):
    """The three places an installer can read a handset identifier."""

    LABEL = "label"
    HANDSET_MENU = "handset menu"
    BASE_WEB_PAGE = "base web page"


@dataclass(frozen=True)
class Hint:
    place: Place
    how: str
    verified: bool


_NO_RULE = ('no known rule: teams-sip assumes "00" + the 10-hex IPEI as for Poly Rove; check the id the base '
            "shows for the handset in Teams admin center (SIP devices) on the first install")


@dataclass(frozen=True)
class DectSystem:
    vendor: str
    bases: tuple[str, ...]
    handsets: tuple[str, ...]
    identifier_form: str
    example: str
    hints: tuple[Hint, ...]
    source: str
    hardware_id_rule: str = _NO_RULE  # how a handset's 12-hex hardware id in Teams is formed


_UNVERIFIED = False
_ROVE_RULE = ('"00" + the 10-hex IPEI (IPEI 03717C0E0A is 00-03-71-7C-0E-0A, and the handset requests '
              "0003717C0E0A.cfg): field practice for Poly Rove, not a Microsoft rule")

DECT_SYSTEMS: tuple[DectSystem, ...] = (
    DectSystem(
        vendor="Poly Rove",
        bases=("B1", "B2", "B4"),
        handsets=("Rove 20", "Rove 30", "Rove 40"),
        identifier_form="IPEI as 10 hex digits",
        example="03717C0E0A",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "status / about screen of the handset", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "Extensions (handset list) page of the base web UI", _UNVERIFIED),
        ),
        source="Plan for SIP Gateway, compatible devices (models); identifier places are field practice",
        hardware_id_rule=_ROVE_RULE,
    ),
    DectSystem(
        vendor="Spectralink",
        bases=("IP-DECT Server 200", "IP-DECT Server 400", "IP-DECT Server 6500", "Virtual IP-DECT Server One"),
        handsets=("7202", "7212", "7502", "7522", "7532", "7622", "7642", "7722", "7742", "S33", "S35", "S37"),
        identifier_form="IPEI in decimal, EEEEE PPPPPPP C (13 digits with check digit)",
        example="14103 0790026 0",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "handset status menu (IPEI line)", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "Users page of the IP-DECT server web UI", _UNVERIFIED),
        ),
        source="decimal form and identifier places are field practice; models from Plan for SIP Gateway",
    ),
    DectSystem(
        vendor="Ascom",
        bases=("IPBS2", "IPBS3", "IPBL", "IPVM"),
        handsets=("d43", "d63", "d81", "d83"),
        identifier_form="IPEI in decimal, EEEEE PPPPPPP C (13 digits with check digit)",
        example="00077 0391552 8",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "handset information menu (IPEI line)", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "users / handsets page of the IPBS web UI", _UNVERIFIED),
        ),
        source="decimal form and identifier places are field practice; models from Plan for SIP Gateway",
    ),
    DectSystem(
        vendor="Gigaset",
        bases=("N610 IP PRO", "N670 IP PRO", "N870 IP PRO", "N870E IP PRO", "N870 VI PRO"),
        handsets=("R700H PRO", "S700H PRO", "SL800H PRO"),
        identifier_form='"IPUI": 10 hex digits in lower case',
        example="03717c0e0a",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "dial *#06# on the handset", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "Mobile devices page of the base web UI (IPUI column)", _UNVERIFIED),
        ),
        source="lower-case IPUI and identifier places are field practice; bases from Plan for SIP Gateway",
    ),
    DectSystem(
        vendor="Yealink",
        bases=("W60B", "W70B", "W80", "W90"),
        handsets=("W53H", "W56H", "W57R", "W59R", "W73H", "W78H"),
        identifier_form='"IPUI": 10 hex digits',
        example="03717C0E0A",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "Menu > Status on the handset (IPUI line)", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "handset registration / status page of the base web UI", _UNVERIFIED),
        ),
        source="identifier form and places are field practice; models from Plan for SIP Gateway",
    ),
    DectSystem(
        vendor="Snom",
        bases=("M400", "M900"),
        handsets=("M30", "M70", "M80", "M85", "M90"),
        identifier_form="IPEI as 0x followed by 10 hex digits in provisioning files",
        example="0x03717C0E0A",
        hints=(
            Hint(Place.LABEL, "sticker under the handset battery", _UNVERIFIED),
            Hint(Place.HANDSET_MENU, "handset status menu", _UNVERIFIED),
            Hint(Place.BASE_WEB_PAGE, "Extensions page of the base web UI", _UNVERIFIED),
        ),
        source="0x form, models and identifier places are field practice (Microsoft lists no Snom DECT model)",
    ),
)


@dataclass(frozen=True)
class ModelMatch:
    """What the model column named: a known model, or only a known vendor (`model` is None)."""

    system: DectSystem
    model: str | None
    kind: DeviceKind | None


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _vendor_prefixes(system: DectSystem) -> set[str]:
    """`Poly Rove` is also written `Rove`; never bare `Poly`, which also makes desk phones."""
    return {_key(system.vendor), _key(system.vendor.split()[-1])}


_OTHER_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    # Microsoft lists Yealink's W80 and W90 systems; their bases are sold as W80B and W90B (assumption).
    ("Yealink", "W80"): ("W80B",),
    ("Yealink", "W90"): ("W90B",),
}


def _short_forms(key: str) -> set[str]:
    """Gigaset's "N870 IP PRO" is often written "N870", "S700H PRO" as "S700H"."""
    for suffix in ("ippro", "pro"):
        if key.endswith(suffix) and len(key) > len(suffix) + 2:
            return {key, key.removesuffix(suffix)}
    return {key}


def _model_index() -> dict[str, ModelMatch]:
    index: dict[str, ModelMatch] = {}
    for system in DECT_SYSTEMS:
        prefixes = _vendor_prefixes(system)
        for kind, models in ((DeviceKind.BASE, system.bases), (DeviceKind.HANDSET, system.handsets)):
            for model in models:
                match = ModelMatch(system, model, kind)
                for name in (model, *_OTHER_NAMES.get((system.vendor, model), ())):
                    core = _key(name)
                    for prefix in sorted(prefixes, key=len, reverse=True):
                        core = core.removeprefix(prefix)
                    # A bare "30" is not a model; "B4" is (nothing else is called that).
                    for alias in {_key(name), *(prefix + core for prefix in prefixes)}:
                        index.update(dict.fromkeys(_short_forms(alias), match))
    return index


_MODELS = _model_index()


def find_model(text: str) -> ModelMatch | None:
    """Recognises `Rove 30`, `Poly Rove B4`, `Yealink W73H`, `w73h`; a bare vendor gives a vendor match."""
    key = _key(text)
    if key.startswith("polycom"):
        key = "poly" + key[len("polycom") :]
    if key in _MODELS:
        return _MODELS[key]
    for system in DECT_SYSTEMS:
        if any(key.startswith(prefix) for prefix in _vendor_prefixes(system)):
            return ModelMatch(system, None, None)
    return None


def identifier_help(system: DectSystem) -> str:
    """One line for the import's messages: the form to expect, where to read it, and how it becomes
    the hardware id Teams lists (a per-vendor rule, never presented as Microsoft's)."""
    places = "; ".join(f"{hint.place.value}: {hint.how}" for hint in system.hints)
    return (f"{system.vendor} shows the {system.identifier_form} (e.g. {system.example}). Find it on the {places}. "
            f"Hardware id in Teams: {system.hardware_id_rule}.")
