"""Scenarios: the seeded generator, JSON files for exact cases, and clear refusals of bad ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from teams_sip.simulator import Scenario, ScenarioError, SimulatedTenant
from teams_sip.simulator.generate import _CASES
from tests.simulator.conftest import token

EXACT = Path(__file__).parent / "scenarios" / "exact.json"


def test_generator_is_deterministic_and_covers_every_case_first() -> None:
    a, b = Scenario.generate(users=300, seed=3), Scenario.generate(users=300, seed=3)
    assert a == b and a != Scenario.generate(users=300, seed=4)
    assert [u.case for u in a.users[: len(_CASES)]] == list(_CASES)
    cases = [u.case for u in a.users]
    assert cases.count("eligible") > len(cases) / 3  # a realistic tenant is mostly fine
    assert len({u.upn.lower() for u in a.users}) == 300


def test_generated_scenario_round_trips_through_json(tmp_path: Path) -> None:
    scenario = Scenario.generate(users=40, seed=9, devices=5)
    path = tmp_path / "s.json"
    scenario.save(path)
    assert Scenario.load(path) == scenario
    assert len(scenario.devices) == 5


def test_exact_scenario_file_is_served_as_written() -> None:
    scenario = Scenario.load(EXACT)
    with SimulatedTenant.start(scenario) as sim, httpx.Client(verify=sim.ssl_context()) as c:
        assert sim.clock.now().isoformat() == "2025-06-02T05:00:00+00:00"
        graph = token(c, sim)
        upns = [u["userPrincipalName"] for u in c.get(f"{sim.graph_url}/users", headers=graph).json()["value"]]
        assert upns == ["nurse.one@fabrikam.example", "nurse.two@fabrikam.example", "ward.phone@fabrikam.example"]
        devices = c.get(f"{sim.graph_beta_url}/teamwork/devices", headers=graph).json()["value"]
        assert devices[0]["currentUser"]["displayName"] == "Nurse One"
        ward = c.get(f"{sim.graph_url}/admin/teams/userConfigurations", headers=graph).json()["value"][2]
        ip_policy = [p for p in ward["effectivePolicyAssignments"] if p["policyType"] == "TeamsIPPhonePolicy"]
        assert ip_policy[0]["policyAssignment"]["displayName"] == "CommonAreaPhone"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"users": [{"upn": "no-domain"}]}, "needs an @domain"),
        ({"users": [{"upn": "a@x"}, {"upn": "A@x"}]}, "appears twice"),
        ({"users": [{"upn": "a@x", "licenses": ["E99"]}]}, "unknown licence 'E99'"),
        ({"users": [{"upn": "a@x", "callingPolicy": "Ghost"}]}, "'Ghost' is not defined"),
        ({"users": [{"upn": "a@x", "accountEnabled": "yes"}]}, "users[0].accountEnabled"),
        ({"devices": [{"hardwareId": "12:34"}]}, "12 upper-case hex"),
        ({"devices": [{"hardwareId": "0003717C0E0A", "state": "signedIn"}]}, "needs the UPN"),
        ({"faults": {"error_503": 3}}, "probability"),
        ({"start": "tomorrow"}, "not an ISO-8601"),
        ({"users": "everyone"}, "users must be a list"),
    ],
)
def test_bad_scenarios_are_refused_with_the_entry_named(change: dict[str, Any], words: str) -> None:
    data = json.loads(EXACT.read_text()) | change
    with pytest.raises(ScenarioError) as refused:
        Scenario.from_dict(data)
    assert words in str(refused.value)


def test_unreadable_scenario_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        Scenario.load(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_bytes(b"\xff{not json")
    with pytest.raises(ScenarioError, match="not valid JSON"):
        Scenario.load(broken)
