"""What a simulated tenant starts with: users, licences, policies, devices, the app registration
and the realism knobs. Built by the seeded generator or read from a JSON scenario file
(format in docs/simulator.md)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teams_sip.errors import InputError
from teams_sip.simulator.catalog import ALL_ROLES, SKUS
from teams_sip.simulator.faults import FaultSettings
from teams_sip.simulator.invented import POLICY_PROPAGATION_MINUTES
from teams_sip.simulator.teamwork import TeamworkSettings

ACCOUNT_TYPES = ("user", "resourceAccount", "guest", "sfbOnPremUser", "unknown", "ineligibleUser")
REDIRECT_VALUES = ("Enabled", "Disabled", "UserOverride")
LISTING_ORDERBY = ("kept", "refused", "ignored")
DEVICE_STATES = ("waitingOnActivation", "waitingForSignIn", "signedIn")
DEFAULT_START = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
_HARDWARE_ID = re.compile(r"^[0-9A-F]{12}$")


class ScenarioError(InputError):
    """A scenario file or dict that cannot be used; the message names the bad entry."""


@dataclass(frozen=True)
class CallingPolicy:
    name: str  # "Global" or the tag name without "Tag:"
    allow_sip_devices: bool = False
    allow_call_redirect: str = "Enabled"

    @property
    def identity(self) -> str:
        return "Global" if self.name == "Global" else f"Tag:{self.name}"


@dataclass(frozen=True)
class ScenarioUser:
    upn: str
    display_name: str
    account_enabled: bool = True
    account_type: str = "user"
    licenses: tuple[str, ...] = ()  # skuPartNumbers from catalog.SKUS
    disabled_plans: tuple[str, ...] = ()  # service plan names switched off for this user
    phone_number: str | None = None
    enterprise_voice: bool = False
    calling_policy: str | None = None  # None = Global
    ip_phone_policy: str | None = None  # e.g. "CommonAreaPhone"; None = Global
    usage_location: str = "DE"
    case: str = "custom"  # why the generator made this user (tests pick users by it)
    id: str = ""
    assigned_plans_shown: bool = True  # False: Graph's user object comes without assignedPlans (invented.py)


@dataclass(frozen=True)
class ScenarioDevice:
    hardware_id: str
    location: str = ""
    state: str = "waitingOnActivation"
    user: str | None = None  # UPN for signedIn devices


@dataclass(frozen=True)
class AppRegistration:
    client_id: str
    client_secret: str = field(repr=False)  # a fake secret, but kept out of reprs like a real one
    roles: tuple[str, ...] = ALL_ROLES


@dataclass(frozen=True)
class SnapshotSwitches:
    """How the simulated tenant configuration management service behaves (issue 19)."""

    layout: str = "resources"  # "resources" or "items": the two community-seen snapshot file shapes
    outcome: str = "succeeded"  # succeeded | partiallySuccessful | failed
    run_minutes: float = 3.0  # simulated time a job runs before it finishes
    service_principal: str = "present"  # present | missing | no_role
    trusted_ips: tuple[tuple[str, int], ...] = ()  # (Identity, MaskBits)
    conditional_access: tuple[dict[str, Any], ...] = ()  # UTCM conditionalaccesspolicy properties
    ip_phone_sign_in_modes: tuple[tuple[str, str], ...] = (("CommonAreaPhone", "CommonAreaPhoneSignIn"),)
    other_jobs: int = 0  # jobs other tools already keep in the tenant


@dataclass(frozen=True)
class Scenario:
    tenant_id: str
    domain: str
    app: AppRegistration
    users: tuple[ScenarioUser, ...]
    calling_policies: tuple[CallingPolicy, ...] = ()
    ip_phone_policies: tuple[str, ...] = ("CommonAreaPhone",)
    devices: tuple[ScenarioDevice, ...] = ()
    start: datetime = DEFAULT_START
    seed: int = 0
    policy_propagation_minutes: float = POLICY_PROPAGATION_MINUTES
    faults: FaultSettings = field(default_factory=FaultSettings)
    teamwork: TeamworkSettings = field(default_factory=TeamworkSettings)  # the SIP device inventory's answers
    entra_premium: bool = True  # False: no Entra ID P1/P2, so the sign-in logs answer 403

    default_policies_listed: bool = True
    """Whether effectivePolicyAssignments names a policy the user has from the org-wide default (as
    "Global"), or leaves it out (False). Microsoft's pages show neither: tests cover both readings."""
    voice_flag_without_calling_plan: bool = True
    """isEnterpriseVoiceEnabled of users without a Calling Plan (Operator Connect, Direct Routing): the
    user's own `enterpriseVoice` (True), or always false (False). The docs show only a Calling Plan user."""
    snapshots: SnapshotSwitches = field(default_factory=SnapshotSwitches)

    listing_orderby: str = "kept"
    """`$orderby` on the userConfigurations listing: "kept" (sorted as asked), "refused" (400) or
    "ignored" (the service's own order). The page documents $orderBy without its properties (issue 22)."""

    @classmethod
    def generate(cls, users: int = 50, seed: int = 0, devices: int | None = None) -> Scenario:
        """A realistic mix of `users` users (one of each failure cause first), seeded."""
        from teams_sip.simulator.generate import generate_scenario

        return generate_scenario(users, seed, devices)

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ScenarioError(f"cannot read scenario file {path}: {exc.strerror}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"scenario file {path} is not valid JSON: {exc}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        from teams_sip.simulator.scenario_json import scenario_from_dict

        return scenario_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        from teams_sip.simulator.scenario_json import scenario_to_dict

        result: dict[str, Any] = scenario_to_dict(self)
        return result

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def users_with_case(self, case: str) -> list[ScenarioUser]:
        return [u for u in self.users if u.case == case]

    def validate(self) -> None:
        """Refuses inconsistent scenarios whole, naming the first bad entry."""
        upns: set[str] = set()
        policies = {p.name for p in self.calling_policies} | {"Global"}
        for u in self.users:
            key = u.upn.lower()
            if "@" not in u.upn:
                raise ScenarioError(f"user {u.upn!r}: userPrincipalName needs an @domain")
            if key in upns:
                raise ScenarioError(f"user {u.upn!r} appears twice")
            upns.add(key)
            if u.account_type not in ACCOUNT_TYPES:
                raise ScenarioError(f"user {u.upn}: accountType {u.account_type!r} is not one of {ACCOUNT_TYPES}")
            for sku in u.licenses:
                if sku not in SKUS:
                    raise ScenarioError(f"user {u.upn}: unknown licence {sku!r}; known: {sorted(SKUS)}")
            if u.calling_policy is not None and u.calling_policy not in policies:
                raise ScenarioError(f"user {u.upn}: calling policy {u.calling_policy!r} is not defined")
            if u.ip_phone_policy is not None and u.ip_phone_policy not in self.ip_phone_policies:
                raise ScenarioError(f"user {u.upn}: IP phone policy {u.ip_phone_policy!r} is not defined")
        for p in self.calling_policies:
            if p.allow_call_redirect not in REDIRECT_VALUES:
                raise ScenarioError(f"calling policy {p.name}: allowCallRedirect must be one of {REDIRECT_VALUES}")
        seen: set[str] = set()
        for d in self.devices:
            if not _HARDWARE_ID.match(d.hardware_id):
                raise ScenarioError(f"device {d.hardware_id!r}: hardwareId must be 12 upper-case hex digits")
            if d.hardware_id in seen:
                raise ScenarioError(f"device {d.hardware_id} appears twice")
            seen.add(d.hardware_id)
            if d.state not in DEVICE_STATES:
                raise ScenarioError(f"device {d.hardware_id}: state must be one of {DEVICE_STATES}")
            if d.state == "signedIn" and (d.user is None or d.user.lower() not in upns):
                raise ScenarioError(f"device {d.hardware_id}: a signedIn device needs the UPN of a scenario user")
        if self.listing_orderby not in LISTING_ORDERBY:
            raise ScenarioError(f"listingOrderby must be one of {LISTING_ORDERBY}")
        if self.start.tzinfo is None:
            raise ScenarioError("scenario start must carry a time zone (use Z for UTC)")
