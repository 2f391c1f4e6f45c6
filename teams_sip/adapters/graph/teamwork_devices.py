"""SIP devices as Teams lists them: Graph beta `teamwork/devices?$filter=deviceType eq 'sip'`.

This is how assisted mode (no provisioning API) sees sign-ins. Teams lists a SIP device only after
its first sign-in, so the list says nothing about devices waiting on activation. `currentUser`
carries an object id and display name but no UPN, so the UPNs are looked up in `/users` (15 ids per
`$filter`, 20 filters per `$batch`). Entries without a usable hardware id are skipped and counted,
never guessed. The endpoint is beta and Microsoft announced its deprecation, so a failed listing is
an answer too: `read_sip_inventory` gives the devices or the reason they are unavailable, and a pass
goes on without them (docs/microsoft.md, "SIP devices inventory").
The resource documents `lastModifiedDateTime` and no last-contact time, so that is what `last_seen`
holds. Enum values are read case-insensitively (the documented example answer spells them
"Healthy", the enum "healthy"), and a MAC address may carry an interface prefix ("LAN:00-11-...").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from teams_sip import unverified
from teams_sip.adapters.graph.batch import BatchRequest, BatchResponse
from teams_sip.adapters.graph.errors import GraphError, GraphUnavailableError
from teams_sip.domain.lifecycle.inputs import ObservedDevice, ObservedState
from teams_sip.errors import TeamsSipError

log = logging.getLogger(__name__)

PATH = "/teamwork/devices"
PAGE_SIZE = 50  # the most Graph returns per page for teamwork devices
IDS_PER_FILTER = 15  # Graph's default limit of values in one `in (...)`
# teamworkDevice's enums as the resource page lists them (the example answer capitalises them).
HEALTH_STATUSES = ("unknown", "offline", "critical", "nonUrgent", "healthy", "unknownFutureValue")
ACTIVITY_STATES = ("unknown", "busy", "idle", "unavailable", "unknownFutureValue")
SIP_TYPE = "sip"
_SEPARATORS = re.compile(r"[-:.\s]")
_HEX12 = re.compile(r"^[0-9A-F]{12}$")
_PREFIX = re.compile(unverified.TEAMWORK_MAC_INTERFACE_PREFIX)  # 'LAN:', 'WIFI:' before the address


class _Reader(Protocol):
    """The part of GraphSession this module needs."""

    def iter_pages(
        self, path: str, params: Mapping[str, str] | None = None, *, beta: bool = False
    ) -> Iterator[list[dict[str, Any]]]: ...

    def batch(self, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse]: ...


@dataclass(frozen=True)
class ObservedSipDevice:
    """One SIP device from the teamwork list; `user_upn` is None when nobody is signed in or the
    signed-in account could not be found in the directory (then `user_id` still says who)."""

    hardware_id: str
    teams_id: str
    user_id: str | None
    user_name: str | None
    user_upn: str | None
    health: str
    activity: str
    last_seen: datetime | None
    signed_in: bool
    manufacturer: str | None = None
    model: str | None = None


class SipDeviceList(list[ObservedSipDevice]):
    """The devices, plus how many entries were left out and why (for the run report)."""

    def __init__(self, devices: Iterable[ObservedSipDevice] = (), *, without_id: int = 0, duplicates: int = 0) -> None:
        super().__init__(devices)
        self.without_id = without_id
        self.duplicates = duplicates


@dataclass(frozen=True)
class SipInventory:
    """One reading of the SIP device inventory: the devices, or (`devices` None) why there are none.
    A 200 with an empty list is an answer (`devices` empty), not a failure."""

    devices: SipDeviceList | None
    reason: str = ""

    @classmethod
    def unavailable(cls, reason: str) -> SipInventory:
        return cls(None, reason)


def read_sip_inventory(session: _Reader) -> SipInventory:
    """`list_sip_devices`, with every way the listing can fail (404/410 of a retired API, 403, 5xx
    after retries, timeouts, a refused next link, the UPN lookup) turned into a reason."""
    try:
        return SipInventory(list_sip_devices(session))
    except (GraphError, GraphUnavailableError, TeamsSipError) as exc:
        log.warning("SIP device inventory unavailable: %s", exc)
        return SipInventory.unavailable(str(exc))


def list_sip_devices(session: _Reader) -> SipDeviceList:
    """Every SIP device Teams lists, one per hardware id, with the signed-in account's UPN."""
    params = {"$filter": "deviceType eq 'sip'", "$top": str(PAGE_SIZE)}
    raw = [item for page in session.iter_pages(PATH, params, beta=True) for item in page]
    upns = _upns(session, {uid for item in raw if (uid := _text(_user(item).get("id")))})
    devices = collect(raw, upns)
    if devices.without_id or devices.duplicates:
        log.warning("teamwork devices: %d entries without a hardware id skipped, %d duplicates merged",
                    devices.without_id, devices.duplicates)
    return devices


def collect(items: Iterable[Mapping[str, Any]], upns: Mapping[str, str] | None = None) -> SipDeviceList:
    """Parse a listing: entries without a hardware id are counted, not kept; when Teams lists one
    hardware id twice (a handset onboarded again), the most recently seen entry wins."""
    chosen: dict[str, ObservedSipDevice] = {}
    without_id = duplicates = 0
    for item in items:
        kind = item.get("deviceType")
        if isinstance(kind, str) and kind.casefold() != SIP_TYPE:
            continue  # the filter asked for SIP devices; any other kind ('CollaborationBar') is not ours
        device = parse_device(item, upns)
        if device is None:
            without_id += 1
            continue
        earlier = chosen.get(device.hardware_id)
        if earlier is not None:
            duplicates += 1
            if _seen_key(earlier) >= _seen_key(device):
                continue
        chosen[device.hardware_id] = device
    return SipDeviceList(sorted(chosen.values(), key=lambda d: d.hardware_id),
                         without_id=without_id, duplicates=duplicates)


def parse_device(item: Mapping[str, Any], upns: Mapping[str, str] | None = None) -> ObservedSipDevice | None:
    """One teamworkDevice, read defensively; None when it carries no 12-hex-digit hardware id."""
    detail = item.get("hardwareDetail")
    detail = detail if isinstance(detail, dict) else {}
    macs = detail.get("macAddresses")
    candidates = [*(macs if isinstance(macs, list) else []), detail.get("uniqueId")]
    hardware_id = next((hid for c in candidates if (hid := normalise_hardware_id(c))), None)
    if hardware_id is None:
        return None
    user = _user(item)
    user_id = _text(user.get("id"))
    upn = _text(user.get("userPrincipalName")) or (upns or {}).get(user_id or "")
    return ObservedSipDevice(
        hardware_id=hardware_id,
        teams_id=_text(item.get("id")) or "",
        user_id=user_id,
        user_name=_text(user.get("displayName")),
        user_upn=upn,
        health=_member(item.get("healthStatus"), HEALTH_STATUSES),
        activity=_member(item.get("activityState"), ACTIVITY_STATES),
        last_seen=_when(item.get("lastModifiedDateTime")),
        signed_in=bool(user),
        manufacturer=_text(detail.get("manufacturer")),
        model=_text(detail.get("model")),
    )


def normalise_hardware_id(value: object) -> str | None:
    """'00-03-71-7c-0e-0a', '00:03:71:7C:0E:0A', '0003717c0e0a' or with an interface prefix
    ('LAN:00-03-71-7C-0E-0A') -> '0003717C0E0A'; else None."""
    if not isinstance(value, str):
        return None
    for text in (value.strip(), _PREFIX.sub("", value.strip())):  # 'AA:BB:...' is no 'AA' interface
        compact = _SEPARATORS.sub("", text).upper()
        if _HEX12.match(compact):
            return compact
    return None


def as_observed(devices: Iterable[ObservedSipDevice]) -> dict[str, ObservedDevice]:
    """The lifecycle's view, by hardware id. Teams lists only devices that were signed in once, so a
    listed device without a current user has signed out: waiting for sign-in again."""
    return {
        d.hardware_id: ObservedDevice(
            hardware_id=d.hardware_id,
            state=ObservedState.SIGNED_IN if d.signed_in else ObservedState.WAITING_FOR_SIGN_IN,
            signed_in_user=d.user_upn if d.signed_in else None,
            last_seen=d.last_seen,
        )
        for d in devices
    }


def _upns(session: _Reader, user_ids: set[str]) -> dict[str, str]:
    """Object id -> UPN for the signed-in accounts; ids the directory does not know are left out."""
    ids = sorted(user_ids)
    chunks = [ids[i : i + IDS_PER_FILTER] for i in range(0, len(ids), IDS_PER_FILTER)]
    if not chunks:
        return {}
    answers = session.batch([BatchRequest(f"ids{n}", _ids_url(chunk)) for n, chunk in enumerate(chunks)])
    found: dict[str, str] = {}
    for n in range(len(chunks)):
        answer = answers[f"ids{n}"]
        error = answer.error("GET", "/users")
        if error is not None:
            raise TeamsSipError(f"Could not look up who is signed in on the SIP devices: {error}")
        items = answer.body.get("value") if isinstance(answer.body, dict) else None
        for user in items or []:
            if isinstance(user, dict) and user.get("id") and user.get("userPrincipalName"):
                found[str(user["id"])] = str(user["userPrincipalName"])
    return found


def _ids_url(ids: Sequence[str]) -> str:
    values = ",".join("'" + i.replace("'", "''") + "'" for i in ids)
    query = {"$filter": f"id in ({values})", "$select": "id,userPrincipalName", "$top": str(IDS_PER_FILTER)}
    return "/users?" + urlencode(query, quote_via=quote, safe="$,()")


def _user(item: Mapping[str, Any]) -> dict[str, Any]:
    user = item.get("currentUser")
    return user if isinstance(user, dict) else {}


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _member(value: object, members: tuple[str, ...]) -> str:
    """An enum value in the enum's own spelling, whatever its case ('Healthy' -> 'healthy'); a value
    the enum does not list is kept as sent, an absent one is 'unknown'."""
    text = _text(value)
    if text is None:
        return "unknown"
    return next((m for m in members if m.casefold() == text.casefold()), text)


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _seen_key(device: ObservedSipDevice) -> datetime:
    return device.last_seen or datetime.min.replace(tzinfo=UTC)
