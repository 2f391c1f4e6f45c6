"""Service plans and SKUs the checks look for (docs/microsoft.md "Users and licences"), in one table.

Licences are judged by service plan, not by SKU: the same plan (MCOEV, Teams Phone) arrives in E5,
in the Teams Phone add-on and in Teams Shared Devices, and only the plan says what the user can do.
The one exception is Teams Shared Devices, which is identified by its SKU.
"""

from __future__ import annotations

from typing import Final

SERVICE_PLANS: Final[dict[str, str]] = {
    "MCOEV": "4828c8ec-dc2e-4779-b502-87ac9ce28ab7",  # Teams Phone (Phone System)
    "MCOPSTN1": "4ed3ff63-69d7-4fb7-b984-5aec7f605ca8",  # Domestic Calling Plan
    "MCOPSTN2": "5a10155d-f5c1-411a-a8ec-e99aae125390",  # Domestic and International Calling Plan
    "MCOPSTN5": "54a152dc-90de-4996-93d2-bc47e670fc06",  # Domestic Calling Plan (120 minutes)
    "MCOPSTN6": "346d83bf-6fe6-42ca-b424-b9300d2e21bf",  # Domestic Calling Plan (240 minutes)
    "MCOPSTNC": "505e180f-f7e0-4b65-91d4-00d670bbd18c",  # Communications Credits
    "MCOSTANDARD": "0feaeb32-d00e-4d66-bd5a-43b5b83db82c",  # Skype for Business Online (Plan 2)
    "TEAMS1": "57ff2da0-773e-42df-b2af-ffb7a2317929",  # Microsoft Teams
}

SHARED_DEVICES_SKU: Final = "295a8eb0-f78d-45c7-8b5b-1eed5ed02dff"
"""MCOCAP, Microsoft Teams Shared Devices: the licence common-area accounts should carry."""

TEAMS_PLAN: Final = SERVICE_PLANS["TEAMS1"]
TEAMS_PHONE_PLAN: Final = SERVICE_PLANS["MCOEV"]
SKYPE_PLAN2_PLAN: Final = SERVICE_PLANS["MCOSTANDARD"]
"""Skype for Business Online (Plan 2): the SIP Gateway plan article lists it beside Teams, Phone System
and PSTN connectivity as required for SIP devices (it is not sold alone; E3, E5 and Teams Shared
Devices carry it)."""
CALLING_PLAN_PLANS: Final[frozenset[str]] = frozenset(
    SERVICE_PLANS[name] for name in ("MCOPSTN1", "MCOPSTN2", "MCOPSTN5", "MCOPSTN6")
)
"""Microsoft Calling Plans. Communications Credits (MCOPSTNC) alone is not a Calling Plan."""

PLAN_NAMES: Final[dict[str, str]] = {guid: name for name, guid in SERVICE_PLANS.items()}
