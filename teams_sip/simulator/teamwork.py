"""How the simulated tenant answers Graph beta `teamwork/devices` (the SIP device inventory).

By default as Microsoft's "List teamworkDevices" page shows: pages of 20 unless `$top` asks for up
to 50 (more is a 400), a relative `@odata.nextLink` ('/teamwork/devices?...&$skiptoken=...'),
`lastModifiedDateTime` and no last-contact time. Microsoft announced the API's deprecation, and the
docs leave its spelling of enum values open (the example answer says "Healthy", the enum "healthy"),
so a scenario (or `sim.set_teamwork(...)` mid-test) switches between the readings tests must cover.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields, replace
from typing import Any

from teams_sip.errors import InputError
from teams_sip.simulator import invented

LISTINGS = ("documented", "retired", "gone", "empty", "failing", "slow")
"""documented: as the docs show; retired: 404 (the API removed); gone: 410; empty: 200 with no
devices; failing: 500 on every request; slow: answers after `slow_seconds` (a client timeout)."""
ENUM_CASES = ("camel", "pascal")
LINK_FORMS = ("relative", invented.TEAMWORK_ABSOLUTE_LINK)
PAGE_DEFAULT = 20
PAGE_MAX = 50


@dataclass(frozen=True)
class TeamworkSettings:
    listing: str = "documented"
    enum_case: str = "camel"  # "pascal": 'Healthy', 'Sip', as the documented example answer spells them
    mac_prefix: str = ""  # e.g. "LAN:" before each MAC address (invented.TEAMWORK_MAC_FORM)
    slow_seconds: float = 5.0
    link_form: str = "relative"  # "absolute": @odata.nextLink with scheme and host (issue 22's doctor tells)

    def updated(self, changes: dict[str, Any]) -> TeamworkSettings:
        """A copy with `changes` (Python or scenario-JSON names) applied; bad values refused whole."""
        names = {f.name for f in fields(self)} | {"enumCase", "macPrefix", "slowSeconds", "linkForm"}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise InputError(f"unknown teamwork setting(s) {unknown}; known: {sorted(f.name for f in fields(self))}")
        clean = {_snake(k): v for k, v in changes.items()}
        result = replace(self, **clean)
        if result.listing not in LISTINGS:
            raise InputError(f"teamwork listing must be one of {LISTINGS}, got {result.listing!r}")
        if result.enum_case not in ENUM_CASES:
            raise InputError(f"teamwork enum_case must be one of {ENUM_CASES}, got {result.enum_case!r}")
        if result.link_form not in LINK_FORMS:
            raise InputError(f"teamwork link_form must be one of {LINK_FORMS}, got {result.link_form!r}")
        if not isinstance(result.mac_prefix, str):
            raise InputError("teamwork mac_prefix must be text")
        ok = isinstance(result.slow_seconds, int | float) and not isinstance(result.slow_seconds, bool)
        if not ok or result.slow_seconds < 0:
            raise InputError("teamwork slow_seconds must be a number >= 0")
        return result

    def as_json(self) -> dict[str, Any]:
        return {"listing": self.listing, "enumCase": self.enum_case, "macPrefix": self.mac_prefix,
                "slowSeconds": self.slow_seconds, "linkForm": self.link_form}

    def spell(self, member: str) -> str:
        """An enum member as this tenant spells it."""
        return member[:1].upper() + member[1:] if self.enum_case == "pascal" else member


def _snake(name: str) -> str:
    return {"enumCase": "enum_case", "macPrefix": "mac_prefix", "slowSeconds": "slow_seconds",
            "linkForm": "link_form"}.get(name, name)


def wait_outside(lock: Any, seconds: float) -> None:
    """Sleeps with the world lock let go (handlers run under it), so only this answer is slow."""
    lock.release()
    try:
        time.sleep(seconds)
    finally:
        lock.acquire()
