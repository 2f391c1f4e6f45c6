"""How the simulated tenant's objects look in Graph JSON: users, licence details and Teams user
configurations, with the property names and default property sets of the real service."""

from __future__ import annotations

from typing import Any

from teams_sip.simulator.catalog import SKUS
from teams_sip.simulator.world import CALLING, IP_PHONE, PSTN_PLANS, World, plan_id

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
"""The properties teamsUserConfiguration has (its resource page and msgraph-sdk's model)."""


def user_json(world: World, user_id: str) -> dict[str, Any]:
    u = world.users[user_id]
    first, _, last = u.display_name.partition(" ")
    created = world.scenario.start.isoformat().replace("+00:00", "Z")
    return {
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
                "service": "MicrosoftCommunicationsOnline" if plan.startswith("MCO") else "TeamspaceAPI",
                "servicePlanId": plan_id(plan),
            }
            for _, plan, status in world.plans(u)
        ],
    }


def license_details(world: World, user_id: str) -> list[dict[str, Any]]:
    u = world.users[user_id]
    out = []
    for sku in u.licenses:
        sku_id, plans = SKUS[sku]
        out.append(
            {
                "id": f"{sku_id[:8]}{u.id[8:]}",
                "skuId": sku_id,
                "skuPartNumber": sku,
                "servicePlans": [
                    {
                        "servicePlanId": plan_id(p),
                        "servicePlanName": p,
                        "provisioningStatus": "Disabled" if p in u.disabled_plans else "Success",
                        "appliesTo": "User",
                    }
                    for p in plans
                ],
            }
        )
    return out


def user_config_json(world: World, user_id: str) -> dict[str, Any]:
    u = world.users[user_id]
    plans = world.enabled_plans(u)
    features = [name for name, have in (
        ("Teams", "TEAMS1" in plans),
        ("AudioConferencing", "MCOEV" in plans),
        ("PhoneSystem", "MCOEV" in plans),
        ("CallingPlan", bool(plans & set(PSTN_PLANS))),
        ("TeamsSharedDevice", "MCOCAP" in u.licenses),
    ) if have]  # fmt: skip
    assignments = []
    for policy_type in (CALLING, IP_PHONE):
        name = world.effective_policy(u.id, policy_type)
        assignments.append(
            {
                "policyType": policy_type,
                "policyAssignment": {
                    "displayName": "Global" if name == "Global" else name,
                    "policyId": world.policy_id(policy_type, name),
                    "assignmentType": "direct",
                    "groupId": None,
                },
            }
        )
    created = world.scenario.start.isoformat().replace("+00:00", "Z")
    return {
        "id": u.id,
        "userPrincipalName": u.upn,
        "tenantId": world.scenario.tenant_id,
        "accountType": u.account_type,
        "isEnterpriseVoiceEnabled": world.enterprise_voice(u),
        "featureTypes": features,
        "telephoneNumbers": (
            [{"telephoneNumber": u.phone_number, "assignmentCategory": "primary"}] if u.phone_number else []
        ),
        "effectivePolicyAssignments": assignments,
        "createdDateTime": created,
        "modifiedDateTime": created,
    }
