"""The seeded scenario generator: a tenant that looks like a real one, with one user for every
reason a user can fail the pre-flight first, then a weighted mix."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from teams_sip.simulator.scenario import (
    AppRegistration,
    CallingPolicy,
    Scenario,
    ScenarioDevice,
    ScenarioUser,
)

CALLING_POLICIES = (
    CallingPolicy("Global", allow_sip_devices=False, allow_call_redirect="Enabled"),
    CallingPolicy("SIPDevices", allow_sip_devices=True, allow_call_redirect="Enabled"),
    CallingPolicy("SIPNoRedirect", allow_sip_devices=True, allow_call_redirect="Disabled"),
    CallingPolicy("Restricted", allow_sip_devices=False, allow_call_redirect="Disabled"),
)

SIP = "SIPDevices"


def _t(**fields: Any) -> ScenarioUser:
    return ScenarioUser("", "", **fields)


# case: (weight in the random mix, template). Templates are completed with name, upn and number.
_CASES: dict[str, tuple[int, ScenarioUser]] = {
    "eligible": (60, _t(licenses=("SPE_E5", "MCOPSTN1"), phone_number="+", calling_policy=SIP)),
    "eligible_direct_routing": (
        8,
        _t(licenses=("SPE_E5",), phone_number="+", enterprise_voice=True, calling_policy=SIP),
    ),
    "eligible_operator_connect": (
        4,
        ScenarioUser(
            "", "", licenses=("SPE_E3", "MCOEV"), phone_number="+", enterprise_voice=True, calling_policy=SIP
        ),
    ),
    "unlicensed": (3, _t(calling_policy=SIP)),
    "no_teams_phone": (5, _t(licenses=("SPE_E3",), calling_policy=SIP)),
    "teams_phone_disabled": (
        2,
        _t(licenses=("SPE_E5", "MCOPSTN1"), disabled_plans=("MCOEV",), phone_number="+"),
    ),
    "no_pstn": (3, _t(licenses=("SPE_E5",), calling_policy=SIP)),
    "no_phone_number": (3, _t(licenses=("SPE_E5", "MCOPSTN1"), calling_policy=SIP)),
    "policy_not_sip": (6, _t(licenses=("SPE_E5", "MCOPSTN2"), phone_number="+")),
    "policy_restricted": (
        1,
        _t(licenses=("SPE_E5", "MCOPSTN1"), phone_number="+", calling_policy="Restricted"),
    ),
    "policy_no_redirect": (
        2,
        _t(licenses=("SPE_E5", "MCOPSTN1"), phone_number="+", calling_policy="SIPNoRedirect"),
    ),
    "disabled_account": (
        2,
        ScenarioUser(
            "", "", account_enabled=False, licenses=("SPE_E5", "MCOPSTN1"), phone_number="+", calling_policy=SIP
        ),
    ),
    "resource_account": (1, _t(account_type="resourceAccount", phone_number="+")),
    "guest": (1, _t(account_type="guest")),
    "common_area": (
        3,
        _t(
            licenses=("MCOCAP", "MCOPSTN1"),
            phone_number="+",
            calling_policy=SIP,
            ip_phone_policy="CommonAreaPhone",
        ),
    ),
    "common_area_no_cap_policy": (
        1,
        _t(licenses=("MCOCAP", "MCOPSTN1"), phone_number="+", calling_policy=SIP),
    ),
}

_FIRST = ("Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Mia", "Noah", "Samir")
_LAST = ("Schmidt", "Jensen", "Dubois", "Rossi", "Novak", "Garcia", "Smith", "Kowalski", "Berg", "Costa", "Lopez")
_LOCATIONS = ("Berlin Ward 1", "Berlin Ward 2", "Munich Warehouse", "Hamburg Dock", "Vienna Floor 3")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def generate_scenario(count: int, seed: int, devices: int | None = None) -> Scenario:
    if count < 0:
        raise ValueError("users must be >= 0")
    rng = random.Random(seed)
    domain = "contoso.example"
    tenant_id = _uuid(rng)
    names = list(_CASES)
    weights = [w for w, _ in _CASES.values()]
    cases = names[:count] + rng.choices(names, weights=weights, k=max(0, count - len(names)))
    users: list[ScenarioUser] = []
    for n, case in enumerate(cases):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        prefix = {"resource_account": "ra.", "guest": "", "common_area": "cap.", "common_area_no_cap_policy": "cap."}
        local = f"{prefix.get(case, '')}{first}.{last}{n}".lower()
        upn = f"{local}_ext#EXT#@{domain}" if case == "guest" else f"{local}@{domain}"
        template = _CASES[case][1]
        number = f"+49301{n:07d}" if template.phone_number else None
        users.append(
            replace(
                template,
                id=_uuid(rng),
                upn=upn,
                display_name=f"{first} {last}" if not case.startswith("common") else f"Phone {_LOCATIONS[n % 5]} {n}",
                phone_number=number,
                case=case,
                usage_location=rng.choice(("DE", "DE", "AT", "DK", "FR")),
            )
        )
    device_list: list[ScenarioDevice] = []
    signers = [u for u in users if u.case in ("eligible", "common_area")]
    for _ in range(min(devices or 0, len(signers))):
        user = signers.pop(rng.randrange(len(signers)))
        hardware_id = f"000{rng.getrandbits(36) & 0x0FFFFFFFF:09X}"
        device_list.append(ScenarioDevice(hardware_id, rng.choice(_LOCATIONS), "signedIn", user.upn))
    scenario = Scenario(
        tenant_id=tenant_id,
        domain=domain,
        app=AppRegistration(client_id=_uuid(rng), client_secret=f"sim~{rng.getrandbits(96):024x}"),
        users=tuple(users),
        calling_policies=CALLING_POLICIES,
        devices=tuple({d.hardware_id: d for d in device_list}.values()),
        seed=seed,
    )
    scenario.validate()
    return scenario


def scenario_for_users(users: Sequence[tuple[str, str, str]], seed: int = 0) -> Scenario:
    """A tenant holding exactly these users, as (upn, display name, case): each user gets the
    generator's template for that case (see _CASES), so a demo or test chooses who is eligible."""
    base = generate_scenario(0, seed)
    made: list[ScenarioUser] = []
    for n, (upn, display_name, case) in enumerate(users):
        if case not in _CASES:
            raise ValueError(f"unknown case {case!r}; known: {', '.join(_CASES)}")
        template = _CASES[case][1]
        made.append(replace(template, id=str(uuid.UUID(int=seed * 1_000_003 + n + 1)), upn=upn,
                            display_name=display_name or upn,
                            phone_number=f"+46801{n:07d}" if template.phone_number else None, case=case))
    scenario = replace(base, users=tuple(made), domain=upn_domain(users) or base.domain)
    scenario.validate()
    return scenario


def upn_domain(users: Sequence[tuple[str, str, str]]) -> str | None:
    return users[0][0].rsplit("@", 1)[-1] if users else None
