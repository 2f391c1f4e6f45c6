"""How the simulated tenant's objects look in Graph JSON: users and Teams user configurations,
with the property names and default property sets of the real service."""

from __future__ import annotations

from typing import Any

from teams_sip.simulator.catalog import SKUS
from teams_sip.simulator.invented import FEATURE_TYPES, GLOBAL_ASSIGNMENT_TYPE, PLANS_HIDDEN, USER_PLAN_SERVICES
from teams_sip.simulator.world import CALLING, IP_PHONE, World, plan_id

USER_DEFAULT = (
    "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
)  # fmt: skip
USER_EXTRA = (
    "accountEnabled", "assignedLicenses", "assignedPlans", "userType", "usageLocation", "department",
    "city", "country", "companyName", "onPremisesSyncEnabled", "createdDateTime", "employeeId",
)  # fmt: skip
USER_PROPERTIES = USER_DEFAULT + USER_EXTRA
CONFIG_PROPERTIES = (
    "id", "userPrincipalName", "tenantId", "accountType", "isEnterpriseVoiceEnabled", "featureTypes",
    "telephoneNumbers", "effectivePolicyAssignments", "createdDateTime", "modifiedDateTime",
)  # fmt: skip
"""The properties of teamsUserConfiguration (v1.0 and beta resource pages): nothing else is selectable."""
EVOLVABLE_ACCOUNT_TYPES = ("ineligibleUser",)
"""accountType members after `unknownFutureValue`: sent only to a client that asks with
`Prefer: include-unknown-enum-members`, else as `unknownFutureValue` (the resource page says so)."""


def user_json(world: World, user_id: str) -> dict[str, Any]:
    u = world.users[user_id]
    first, _, last = u.display_name.partition(" ")
    created = world.scenario.start.isoformat().replace("+00:00", "Z")
    user = {
        "id": u.id,
        "userPrincipalName": u.upn,
        "displayName": u.display_name,
        "givenName": first if u.account_type == "user" else None,
        "surname": last or None if u.account_type == "user" else None,
        "mail": None if u.account_type == "resourceAccount" else u.upn.replace("#EXT#", ""),
        "businessPhones": [u.phone_number] if u.phone_number else [],
        "mobilePhone": None,
        "jobTitle": None,
        "officeLocation": None,
        "preferredLanguage": "en-US",
        "accountEnabled": u.account_enabled,
        "userType": "Guest" if u.account_type == "guest" else "Member",
        "usageLocation": u.usage_location,
        "department": None,
        "city": None,
        "country": None,
        "companyName": None,
        "onPremisesSyncEnabled": None,
        "createdDateTime": created,
        "employeeId": None,
        "assignedLicenses": [
            {"skuId": SKUS[sku][0], "disabledPlans": [plan_id(p) for p in u.disabled_plans if p in SKUS[sku][1]]}
            for sku in u.licenses
        ],
        "assignedPlans": [
            {
                "assignedDateTime": created,
                "capabilityStatus": "Deleted" if status == "Disabled" else "Enabled",
                "service": USER_PLAN_SERVICES[0] if plan.startswith("MCO") else USER_PLAN_SERVICES[1],
                "servicePlanId": plan_id(plan),
            }
            for _, plan, status in world.plans(u)
        ],
    }
    if not u.assigned_plans_shown:
        del user[PLANS_HIDDEN]
    return user


def user_config_json(world: World, user_id: str, unknown_enum_members: bool = False) -> dict[str, Any]:
    """One teamsUserConfiguration; `unknown_enum_members` when the request asked for evolvable members."""
    u = world.users[user_id]
    plans = world.enabled_plans(u)
    have = {"Teams": "TEAMS1" in plans, "CallingPlan": world.has_calling_plan(u), "PhoneSystem": "MCOEV" in plans,
            "AudioConferencing": "MCOEV" in plans, "TeamsSharedDevice": "MCOCAP" in u.licenses}
    features = [name for name in FEATURE_TYPES if have[name]]
    assignments = []
    for policy_type in (CALLING, IP_PHONE):
        name = world.effective_policy(u.id, policy_type)
        if name == "Global" and not world.scenario.default_policies_listed:
            continue
        assignments.append(
            {
                "policyType": policy_type,
                "policyAssignment": {
                    "displayName": name,
                    "policyId": world.policy_id(policy_type, name),
                    "assignmentType": GLOBAL_ASSIGNMENT_TYPE if name == "Global" else "direct",
                    "groupId": None,
                },
            }
        )
    created = world.scenario.start.isoformat().replace("+00:00", "Z")
    account_type = u.account_type
    if account_type in EVOLVABLE_ACCOUNT_TYPES and not unknown_enum_members:
        account_type = "unknownFutureValue"
    return {
        "id": u.id,
        "userPrincipalName": u.upn,
        "tenantId": world.scenario.tenant_id,
        "accountType": account_type,
        "isEnterpriseVoiceEnabled": world.enterprise_voice(u),
        "featureTypes": features,
        "telephoneNumbers": (
            [{"telephoneNumber": u.phone_number, "assignmentCategory": "primary"}] if u.phone_number else []
        ),
        "effectivePolicyAssignments": assignments,
        "createdDateTime": created,
        "modifiedDateTime": created,
    }
