"""Simulated SIP Gateway bulk sign-in (docs/microsoft.md, "Bulk sign-in"): batches of at most 100 devices,
at most 3 in flight per region, completed after a simulated delay with one result per item that
uses the documented error strings for every cause the world can see. A successful item signs the
common-area account in on the device through `World.sign_in`, the same hook a person uses.

State lives beside the World (one registry entry per World, dropped with it) and is only touched
under the World's lock.
"""

from __future__ import annotations

import re
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from teams_sip.simulator.devices import WAITING_FOR_SIGN_IN, DeviceActionError
from teams_sip.simulator.invented import BULK_STATUS_ITEM_FIELDS, DUPLICATE_ADDRESSES
from teams_sip.simulator.world import IP_PHONE, World

REGIONS = ("APAC", "EMEA", "NOAM")
MAX_ITEMS = 100
MAX_IN_FLIGHT = 3
WINDOW_AFTER_ACTIVATION = timedelta(hours=72)
WINDOW_AFTER_SIGN_OUT = timedelta(hours=168)
CAP_POLICY = "CommonAreaPhone"
IN_PROGRESS = "InProgress"
COMPLETED = "Completed"
_DASHED = re.compile(r"^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}$")

# The documented per-device errors, spelled exactly as Microsoft documents them.
USER_NOT_FOUND = "User not found in tenant"
NO_PHONE_NUMBER = "User missing phone number assignment"
NO_SIP_POLICY = "User missing AllowSIPDevicesCalling policy assignment"
NO_CAP_POLICY = "User missing CAP policy assignment"
DEVICE_NOT_FOUND = "Device not found in records"
TAG_MISSING = "BulkSignIn Tag missing for the device"
OFFLINE = "Device is offline"
UNTRUSTED_IP = "Public IP not configured as Trusted IP"
DEADLINE_EXPIRED = "Bulk Sign-in deadline expired"
DUPLICATE = "Duplicate devices found for bulk sign-in"
WRONG_FORMAT = "Input hardware-ID is of wrong format"


class BatchRefusedError(Exception):
    """The whole submission is refused (nothing queued); `code` and `message` go to the caller."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class BatchItem:
    username: str
    hardware_id: str  # as submitted (dashed when well-formed)
    status: str = "NotStarted"
    error: str = ""


@dataclass
class Batch:
    batch_id: str
    region: str
    reference: str | None
    submitted_at: datetime
    due_at: datetime
    items: list[BatchItem]
    status: str = IN_PROGRESS

    def as_json(self, hardware_ids: bool = True) -> dict[str, object]:
        """The status answer; `hardware_ids=False` leaves HardwareId out of the items, the other reading
        of a status Microsoft documents without field names (invented.BULK_STATUS_ITEM_FIELDS)."""
        def item(i: BatchItem) -> dict[str, object]:
            shown: dict[str, object] = dict(zip(BULK_STATUS_ITEM_FIELDS, (i.username, i.hardware_id, i.status, i.error),
                                                strict=True))
            return shown if hardware_ids else {k: v for k, v in shown.items() if k != "HardwareId"}

        return {"BatchId": self.batch_id, "Region": self.region, "BatchStatus": self.status,
                "BatchItem": [item(i) for i in self.items]}


@dataclass
class BulkSignIns:
    """Batches of one World, and the knobs only bulk sign-in cares about."""

    delay: timedelta = timedelta(minutes=5)
    tenant_ip_trusted: bool = True
    untrusted_locations: set[str] = field(default_factory=set)  # device locations (sites) not trusted
    untagged: set[str] = field(default_factory=set)  # hardware ids provisioned without /tenantid/
    status_hardware_ids: bool = True  # False: status items carry no HardwareId (the docs name no fields)
    batches: dict[str, Batch] = field(default_factory=dict)
    by_reference: dict[str, str] = field(default_factory=dict)

    # --- API ------------------------------------------------------------------------------------
    def submit(self, world: World, region: object, items: object, reference: object = None) -> Batch:
        """Queue a batch, or raise BatchRefusedError before anything is queued."""
        now = world.now()
        self.settle(world)
        if reference is not None and not isinstance(reference, str):
            raise BatchRefusedError(400, "invalidRequest", "clientReference must be a string.")
        if reference and reference in self.by_reference:
            return self.batches[self.by_reference[reference]]
        if region not in REGIONS:
            raise BatchRefusedError(400, "invalidRegion", f"Region must be one of {', '.join(REGIONS)}.")
        if not isinstance(items, list) or not items:
            raise BatchRefusedError(400, "invalidRequest", "items must be a non-empty list of {Username, HardwareId}.")
        if len(items) > MAX_ITEMS:
            raise BatchRefusedError(
                400, "tooManyDevices", f"A bulk sign-in batch holds at most {MAX_ITEMS} devices, not {len(items)}."
            )
        parsed: list[BatchItem] = []
        for n, item in enumerate(items):
            user = item.get("Username") if isinstance(item, dict) else None
            hw = item.get("HardwareId") if isinstance(item, dict) else None
            if not isinstance(user, str) or not isinstance(hw, str) or not user.strip():
                raise BatchRefusedError(400, "invalidRequest", f"items[{n}] needs string Username and HardwareId.")
            parsed.append(BatchItem(user.strip(), hw.strip()))
        running = sum(1 for b in self.batches.values() if b.region == region and b.status == IN_PROGRESS)
        if running >= MAX_IN_FLIGHT:
            raise BatchRefusedError(
                409,
                "tooManyBatchesInFlight",
                f"Region {region} already has {running} bulk sign-in batches in progress; "
                f"at most {MAX_IN_FLIGHT} may run at once. Wait for one to complete.",
            )
        batch_id = str(uuid.UUID(int=world.rng.getrandbits(128), version=4))
        batch = Batch(batch_id, str(region), reference or None, now, now + self.delay, parsed)
        self.batches[batch_id] = batch
        if reference:
            self.by_reference[reference] = batch_id
        self.settle(world)
        return batch

    def status(self, world: World, batch_id: str) -> Batch | None:
        self.settle(world)
        return self.batches.get(batch_id)

    def settle(self, world: World) -> None:
        """Completes every batch whose delay has passed on the simulated clock, oldest first."""
        now = world.tick()
        for batch in sorted(self.batches.values(), key=lambda b: b.due_at):
            if batch.status == IN_PROGRESS and batch.due_at <= now:
                self._complete(world, batch)

    # --- per item -------------------------------------------------------------------------------
    def _complete(self, world: World, batch: Batch) -> None:
        places: dict[str, list[int]] = {}
        for n, item in enumerate(batch.items):
            places.setdefault(item.hardware_id.upper(), []).append(n)
        for item in batch.items:
            twins = places[item.hardware_id.upper()]
            if not _DASHED.match(item.hardware_id):
                error = WRONG_FORMAT
            elif len(twins) > 1:  # documented: the answer names the duplicates' IP addresses
                error = DUPLICATE_ADDRESSES.format(error=DUPLICATE, addresses=", ".join(
                    f"192.0.2.{n % 254 + 1}" for n in twins))
            else:
                error = self._sign_in(world, item, batch.due_at)
            item.status, item.error = ("Failed", error) if error else ("Success", "")
        batch.status = COMPLETED

    def _sign_in(self, world: World, item: BatchItem, at: datetime) -> str:
        """The first documented error that applies, or "" after signing the account in."""
        user = world.find_user(item.username)
        if user is None or user.account_type == "guest" or not user.account_enabled:
            return USER_NOT_FOUND
        if not user.phone_number:
            return NO_PHONE_NUMBER
        if not world.calling_policies[world.effective_policy(user.id, "TeamsCallingPolicy")].allow_sip_devices:
            return NO_SIP_POLICY
        if world.effective_policy(user.id, IP_PHONE) != CAP_POLICY:
            return NO_CAP_POLICY
        hardware_id = item.hardware_id.replace("-", "").upper()
        device = world.devices.devices.get(hardware_id)
        if device is None or device.state != WAITING_FOR_SIGN_IN or device.activated_at is None:
            return DEVICE_NOT_FOUND
        if hardware_id in self.untagged:
            return TAG_MISSING
        if not device.online:
            return OFFLINE
        if not self.tenant_ip_trusted or device.location in self.untrusted_locations:
            return UNTRUSTED_IP
        if at > deadline(device.activated_at, device.signed_out_at):
            return DEADLINE_EXPIRED
        try:
            world.sign_in(hardware_id, user.upn)
        except DeviceActionError as exc:
            return exc.message  # undocumented (e.g. no Teams Phone licence): callers see it verbatim
        return ""


def deadline(activated_at: datetime, signed_out_at: datetime | None) -> datetime:
    if signed_out_at is not None and signed_out_at >= activated_at:
        return signed_out_at + WINDOW_AFTER_SIGN_OUT
    return activated_at + WINDOW_AFTER_ACTIVATION


_REGISTRY: dict[int, BulkSignIns] = {}


def bulk_signins(world: World) -> BulkSignIns:
    """The bulk sign-in state of this World, created on first use and dropped when the World goes."""
    with world.lock:
        state = _REGISTRY.get(id(world))
        if state is None:
            state = _REGISTRY[id(world)] = BulkSignIns()
            weakref.finalize(world, _REGISTRY.pop, id(world), None)
        return state
