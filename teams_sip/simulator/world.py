"""The in-memory tenant: users with licences and Teams settings, calling policies with delayed
assignment, the mail outbox and the devices. One lock guards it; time moves only through the
shared clock, and everything time-driven is settled by `tick()` before each read or write."""

from __future__ import annotations

import functools
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from teams_sip.domain.clock import ManualClock
from teams_sip.simulator import invented
from teams_sip.simulator.catalog import SERVICE_PLANS, SKUS
from teams_sip.simulator.config_snapshots import SnapshotService
from teams_sip.simulator.devices import (
    SIGNED_IN,
    WAITING_FOR_SIGN_IN,
    DeviceActionError,
    DeviceRegistry,
)
from teams_sip.simulator.scenario import CallingPolicy, Scenario, ScenarioUser
from teams_sip.simulator.signin_events import SignInEvent

CALLING = "TeamsCallingPolicy"
IP_PHONE = "TeamsIPPhonePolicy"
PSTN_PLANS = ("MCOPSTN1", "MCOPSTN2", "MCOPSTN5", "MCOPSTN6", "MCOPSTNC")
CALLING_PLANS = frozenset(PSTN_PLANS[:4])  # Communications Credits (MCOPSTNC) is not a Calling Plan


@dataclass(frozen=True)
class SentMail:
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    content_type: str
    body: str
    attachments: tuple[tuple[str, str, int], ...]  # (name, contentType, size in bytes)
    sent_at: datetime


@dataclass
class PendingAssignment:
    user_id: str
    policy_type: str
    name: str | None  # None = back to Global
    effective_at: datetime


@dataclass
class World:
    scenario: Scenario
    clock: ManualClock
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.scenario.seed)
        self.users: dict[str, ScenarioUser] = {u.id: u for u in self.scenario.users}
        self.by_upn: dict[str, str] = {u.upn.lower(): u.id for u in self.scenario.users}
        self._orderings: dict[tuple[str, bool], list[ScenarioUser]] = {}
        self._policy_ids: dict[str, str] = {}
        self.calling_policies: dict[str, CallingPolicy] = {"Global": CallingPolicy("Global")}
        self.calling_policies.update({p.name: p for p in self.scenario.calling_policies})
        self.ip_phone_policies = ["Global", *self.scenario.ip_phone_policies]
        self.effective: dict[str, dict[str, str]] = {
            u.id: {CALLING: u.calling_policy or "Global", IP_PHONE: u.ip_phone_policy or "Global"}
            for u in self.scenario.users
        }
        self.pending: list[PendingAssignment] = []
        self.propagation = timedelta(minutes=self.scenario.policy_propagation_minutes)
        self.outbox: list[SentMail] = []
        self.devices = DeviceRegistry(self.rng)
        self.config_snapshots = SnapshotService.for_scenario(self.scenario)
        self.teamwork = self.scenario.teamwork  # replaced whole by SimulatedTenant.set_teamwork
        self.entra_premium = self.scenario.entra_premium  # False: sign-in logs answer 403 (no P1/P2)
        self.sign_in_log: list[SignInEvent] = []
        now = self.clock.now()
        for d in self.scenario.devices:
            self.devices.register(d.hardware_id, d.location, now)
            if d.state in (WAITING_FOR_SIGN_IN, SIGNED_IN):
                device = self.devices.devices[d.hardware_id]
                device.state, device.activated_at, device.online, device.last_contact = (
                    WAITING_FOR_SIGN_IN,
                    now,
                    True,
                    now,
                )
            if d.state == SIGNED_IN and d.user is not None:
                user = self.users[self.by_upn[d.user.lower()]]
                self.devices.mark_signed_in(d.hardware_id, user.upn, user.id, user.display_name, now)

    # --- time ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def tick(self) -> datetime:
        """Settles everything due by now: policy propagation and stale-device removal."""
        with self.lock:
            now = self.clock.now()
            due = [p for p in self.pending if p.effective_at <= now]
            for p in due:
                self.effective[p.user_id][p.policy_type] = p.name or "Global"
            self.pending = [p for p in self.pending if p.effective_at > now]
            self.devices.tick(now)
            return now

    # --- users --------------------------------------------------------------------------------
    def find_user(self, key: str) -> ScenarioUser | None:
        """By object id or by userPrincipalName (case-insensitive), as Graph resolves /users/{key}."""
        user = self.users.get(key)
        if user is None:
            uid = self.by_upn.get(key.lower())
            user = self.users.get(uid) if uid else None
        return user

    def ordered_users(self, name: str, descending: bool, key: Callable[[ScenarioUser], str]) -> list[ScenarioUser]:
        """Every user sorted by `key` (named `name`), kept: the tenant's users and their ids do not change."""
        ordering = self._orderings.get((name, descending))
        if ordering is None:
            ordering = sorted(self.users.values(), key=key, reverse=descending)
            self._orderings[(name, descending)] = ordering
        return ordering

    def plans(self, user: ScenarioUser) -> list[tuple[str, str, str]]:
        """(sku, plan name, provisioningStatus) for every plan the user's licences carry."""
        out = []
        for sku in user.licenses:
            for plan in SKUS[sku][1]:
                out.append((sku, plan, "Disabled" if plan in user.disabled_plans else "Success"))
        return out

    def enabled_plans(self, user: ScenarioUser) -> set[str]:
        return {plan for _, plan, status in self.plans(user) if status == "Success"}

    def policy_id(self, policy_type: str, name: str) -> str:
        key = f"{policy_type}/{name}"
        known = self._policy_ids.get(key)
        if known is None:  # stable per tenant and name; asked for on every configuration rendered
            known = self._policy_ids[key] = str(uuid.uuid5(uuid.UUID(self.scenario.tenant_id), key))
        return known

    def policy_names(self, policy_type: str) -> list[str]:
        return list(self.calling_policies) if policy_type == CALLING else list(self.ip_phone_policies)

    def effective_policy(self, user_id: str, policy_type: str) -> str:
        return self.effective[user_id][policy_type]

    def has_calling_plan(self, user: ScenarioUser) -> bool:
        return bool(self.enabled_plans(user) & CALLING_PLANS)

    def enterprise_voice(self, user: ScenarioUser) -> bool:
        """The scenario's own flag, as Microsoft's example shows it for a Calling Plan user (false there);
        for users without a Calling Plan, false whatever the user says when the scenario's switch is off."""
        if not self.scenario.voice_flag_without_calling_plan and not self.has_calling_plan(user):
            return False
        return user.enterprise_voice

    def assign(self, user_id: str, policy_type: str, name: str | None) -> None:
        """Records an assignment that becomes effective after the propagation delay."""
        with self.lock:
            self.pending = [p for p in self.pending if not (p.user_id == user_id and p.policy_type == policy_type)]
            self.pending.append(PendingAssignment(user_id, policy_type, name, self.clock.now() + self.propagation))

    # --- mail ---------------------------------------------------------------------------------
    def send_mail(self, mail: SentMail) -> None:
        with self.lock:
            self.outbox.append(mail)

    # --- the handset's user -------------------------------------------------------------------
    def sign_in(self, hardware_id: str, upn: str) -> None:
        """A user signs in on the device (pairing code at aka.ms/siplogin); Teams checks the user.
        Every attempt by a known account lands in the Entra sign-in log, refused ones with an error."""
        with self.lock:
            now = self.tick()
            user = self.find_user(upn)
            try:
                self._check_sign_in(user, upn)
            except DeviceActionError as exc:
                if user is not None:
                    self._log_sign_in(user, now, exc.code)
                raise
            assert user is not None
            self.devices.mark_signed_in(hardware_id, user.upn, user.id, user.display_name, now)
            self._log_sign_in(user, now)

    def _check_sign_in(self, user: ScenarioUser | None, upn: str) -> None:
        if user is None or user.account_type == "guest":
            raise DeviceActionError("userNotFound", f"user {upn} was not found in the tenant")
        if not user.account_enabled:
            raise DeviceActionError("accountDisabled", f"the account {upn} is disabled")
        if "MCOEV" not in self.enabled_plans(user):
            raise DeviceActionError("notLicensed", f"user {upn} has no Teams Phone licence")
        policy = self.calling_policies[self.effective_policy(user.id, CALLING)]
        if not policy.allow_sip_devices:
            raise DeviceActionError(
                "sipDevicesNotAllowed", f"the calling policy of {upn} does not allow SIP devices"
            )

    def _log_sign_in(self, user: ScenarioUser, at: datetime, refused: str = "") -> None:
        code, reason = invented.SIGNIN_LOG_ERRORS.get(refused, (0, None)) if refused else (0, None)
        if refused and code == 0:
            code, reason = invented.SIGNIN_LOG_ERRORS["other"]
        self.sign_in_log.append(SignInEvent(at, user.upn, user.id, user.display_name, invented.SIGNIN_LOG_APP_ID,
                                            code, reason, str(uuid.UUID(int=self.rng.getrandbits(128)))))

    def summary(self) -> dict[str, Any]:
        with self.lock:
            now = self.tick()
            states: dict[str, int] = {}
            for d in self.devices.devices.values():
                states[d.state] = states.get(d.state, 0) + 1
            return {
                "now": now.isoformat().replace("+00:00", "Z"),
                "users": len(self.users),
                "devices": states,
                "removedDevices": len(self.devices.removals),
                "pendingPolicyAssignments": len(self.pending),
                "outbox": len(self.outbox),
            }


@functools.cache
def plan_id(name: str) -> str:
    """Every user listing names each user's plans: derived once per name, not per user and page."""
    return SERVICE_PLANS.get(name, str(uuid.uuid5(uuid.NAMESPACE_OID, name)))
