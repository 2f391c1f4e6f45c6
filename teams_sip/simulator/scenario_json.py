"""The JSON form of a scenario (camelCase, as docs/simulator.md documents it), both ways."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime
from typing import Any

from teams_sip.simulator.catalog import ALL_ROLES
from teams_sip.simulator.faults import FaultSettings
from teams_sip.simulator.invented import POLICY_PROPAGATION_MINUTES
from teams_sip.simulator.scenario import (
    DEFAULT_START,
    AppRegistration,
    CallingPolicy,
    Scenario,
    ScenarioDevice,
    ScenarioError,
    ScenarioUser,
    SnapshotSwitches,
)
from teams_sip.simulator.teamwork import TeamworkSettings


def _obj(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where} must be a JSON object")
    return value


def _typed(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
        raise ScenarioError(f"{where} has the wrong type ({type(value).__name__})")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where} must be a list of strings")
    return tuple(value)


def _optional_str(d: dict[str, Any], key: str, where: str) -> str | None:
    value = d.get(key)
    return None if value is None else str(_typed(value, str, f"{where}.{key}"))


def _user(raw: Any, index: int, domain: str) -> ScenarioUser:
    where = f"users[{index}]"
    d = _obj(raw, where)
    upn = _typed(d.get("upn"), str, f"{where}.upn")
    return ScenarioUser(
        id=str(_typed(d.get("id", str(uuid.uuid5(uuid.NAMESPACE_URL, f"{domain}/{upn.lower()}"))), str, where)),
        upn=upn,
        display_name=_typed(d.get("displayName", upn.split("@")[0]), str, f"{where}.displayName"),
        account_enabled=_typed(d.get("accountEnabled", True), bool, f"{where}.accountEnabled"),
        account_type=_typed(d.get("accountType", "user"), str, f"{where}.accountType"),
        licenses=_strings(d.get("licenses", []), f"{where}.licenses"),
        disabled_plans=_strings(d.get("disabledPlans", []), f"{where}.disabledPlans"),
        phone_number=_optional_str(d, "phoneNumber", where),
        enterprise_voice=_typed(d.get("enterpriseVoice", False), bool, f"{where}.enterpriseVoice"),
        calling_policy=_optional_str(d, "callingPolicy", where),
        ip_phone_policy=_optional_str(d, "ipPhonePolicy", where),
        usage_location=_typed(d.get("usageLocation", "DE"), str, f"{where}.usageLocation"),
        case=_typed(d.get("case", "custom"), str, f"{where}.case"),
        assigned_plans_shown=_typed(d.get("assignedPlansShown", True), bool, f"{where}.assignedPlansShown"),
    )


def _policy(raw: Any, index: int) -> CallingPolicy:
    where = f"callingPolicies[{index}]"
    d = _obj(raw, where)
    return CallingPolicy(
        name=_typed(d.get("name"), str, f"{where}.name").removeprefix("Tag:"),
        allow_sip_devices=_typed(d.get("allowSipDevicesCalling", False), bool, f"{where}.allowSipDevicesCalling"),
        allow_call_redirect=_typed(d.get("allowCallRedirect", "Enabled"), str, f"{where}.allowCallRedirect"),
    )


def _device(raw: Any, index: int) -> ScenarioDevice:
    where = f"devices[{index}]"
    d = _obj(raw, where)
    return ScenarioDevice(
        hardware_id=_typed(d.get("hardwareId"), str, f"{where}.hardwareId"),
        location=_typed(d.get("location", ""), str, f"{where}.location"),
        state=_typed(d.get("state", "waitingOnActivation"), str, f"{where}.state"),
        user=_optional_str(d, "user", where),
    )


def scenario_from_dict(data: Any) -> Scenario:
    d = _obj(data, "scenario")
    tenant = _obj(d.get("tenant", {}), "tenant")
    seed = _typed(d.get("seed", 0), int, "seed")
    domain = _typed(tenant.get("domain", "contoso.example"), str, "tenant.domain")
    tenant_id = _typed(tenant.get("id", str(uuid.uuid5(uuid.NAMESPACE_DNS, domain))), str, "tenant.id")
    app = _obj(d.get("app", {}), "app")
    try:
        start = datetime.fromisoformat(_typed(d.get("start", DEFAULT_START.isoformat()), str, "start"))
    except ValueError:
        raise ScenarioError(f"start {d.get('start')!r} is not an ISO-8601 time") from None
    faults = _obj(d.get("faults", {}), "faults")
    try:
        fault_settings = FaultSettings().updated(faults)
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError(f"faults: {exc}") from None
    try:
        teamwork = TeamworkSettings().updated(_obj(d.get("teamwork", {}), "teamwork"))
    except ScenarioError:
        raise
    except Exception as exc:
        raise ScenarioError(f"teamwork: {exc}") from None
    users = d.get("users", [])
    if not isinstance(users, list):
        raise ScenarioError("users must be a list")
    scenario = Scenario(
        tenant_id=tenant_id,
        domain=domain,
        app=AppRegistration(
            client_id=_typed(app.get("clientId", str(uuid.uuid5(uuid.NAMESPACE_URL, f"app/{tenant_id}"))), str, "app"),
            client_secret=_typed(app.get("clientSecret", f"sim-secret-{seed}-{tenant_id[:8]}"), str, "app"),
            roles=_strings(app.get("roles", list(ALL_ROLES)), "app.roles"),
        ),
        users=tuple(_user(u, i, domain) for i, u in enumerate(users)),
        calling_policies=tuple(_policy(p, i) for i, p in enumerate(d.get("callingPolicies", []) or [])),
        ip_phone_policies=_strings(d.get("ipPhonePolicies", ["CommonAreaPhone"]), "ipPhonePolicies"),
        devices=tuple(_device(x, i) for i, x in enumerate(d.get("devices", []) or [])),
        start=start,
        seed=seed,
        policy_propagation_minutes=float(_typed(
            d.get("policyPropagationMinutes", POLICY_PROPAGATION_MINUTES), (int, float), "policyPropagationMinutes"
        )),
        faults=fault_settings,
        teamwork=teamwork,
        entra_premium=_typed(d.get("entraPremium", True), bool, "entraPremium"),


        default_policies_listed=_typed(d.get("defaultPoliciesListed", True), bool, "defaultPoliciesListed"),
        voice_flag_without_calling_plan=_typed(
            d.get("voiceFlagWithoutCallingPlan", True), bool, "voiceFlagWithoutCallingPlan"
        ),
        listing_orderby=_typed(d.get("listingOrderby", "kept"), str, "listingOrderby"),
        **_snapshots(d),
    )
    scenario.validate()
    return scenario


def _snapshots(d: dict[str, Any]) -> dict[str, Any]:
    from teams_sip.simulator.config_snapshots import switches_from_dict

    return {"snapshots": switches_from_dict(d["configSnapshots"])} if "configSnapshots" in d else {}


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    from teams_sip.simulator.config_snapshots import switches_to_dict

    snapshots = {} if s.snapshots == SnapshotSwitches() else {"configSnapshots": switches_to_dict(s.snapshots)}
    return snapshots | {
        "tenant": {"id": s.tenant_id, "domain": s.domain},
        "seed": s.seed,
        "start": s.start.isoformat(),
        "app": {"clientId": s.app.client_id, "clientSecret": s.app.client_secret, "roles": list(s.app.roles)},
        "policyPropagationMinutes": s.policy_propagation_minutes,
        "faults": {f.name: getattr(s.faults, f.name) for f in fields(s.faults)},
        "teamwork": s.teamwork.as_json(),
        "entraPremium": s.entra_premium,
        "callingPolicies": [
            {"name": p.name, "allowSipDevicesCalling": p.allow_sip_devices, "allowCallRedirect": p.allow_call_redirect}
            for p in s.calling_policies
        ],
        "ipPhonePolicies": list(s.ip_phone_policies),
        "users": [
            {
                "id": u.id,
                "upn": u.upn,
                "displayName": u.display_name,
                "accountEnabled": u.account_enabled,
                "accountType": u.account_type,
                "licenses": list(u.licenses),
                "disabledPlans": list(u.disabled_plans),
                "phoneNumber": u.phone_number,
                "enterpriseVoice": u.enterprise_voice,
                "callingPolicy": u.calling_policy,
                "ipPhonePolicy": u.ip_phone_policy,
                "usageLocation": u.usage_location,
                "case": u.case,
                "assignedPlansShown": u.assigned_plans_shown,
            }
            for u in s.users
        ],
        "devices": [
            {"hardwareId": x.hardware_id, "location": x.location, "state": x.state, "user": x.user} for x in s.devices
        ],
        "defaultPoliciesListed": s.default_policies_listed,
        "voiceFlagWithoutCallingPlan": s.voice_flag_without_calling_plan,
        "listingOrderby": s.listing_orderby,
    }
