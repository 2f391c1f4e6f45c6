"""The simulator's snapshot job answers parse as msgraph-sdk's configurationSnapshotJob, and the
snapshot file parser refuses layouts it does not know."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.configuration_snapshot_job import ConfigurationSnapshotJob
from msgraph.generated.models.snapshot_job_status import SnapshotJobStatus

from teams_sip.adapters.graph.snapshot_file import SnapshotLayoutError, parse_snapshot
from teams_sip.service.ports.config_snapshots import RESOURCES, SnapshotError
from tests.config_snapshots.conftest import Start

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def _model(body: dict[str, object]) -> ConfigurationSnapshotJob:
    node = JsonParseNodeFactory().get_root_parse_node("application/json", json.dumps(body).encode())
    job = node.get_object_value(ConfigurationSnapshotJob)
    assert isinstance(job, ConfigurationSnapshotJob)
    return job


def test_job_answers_are_configuration_snapshot_jobs(start_stack: Start) -> None:
    stack = start_stack()
    created = stack.client.create("teams sip shapes 1", "d", RESOURCES)
    service = stack.sim.world.config_snapshots
    job = service.jobs[created.id]
    root = stack.sim.graph_url
    early = _model(service.job_json(job, stack.sim.clock.now(), root))
    assert early.status is SnapshotJobStatus.NotStarted and early.resources == list(RESOURCES)
    stack.advance(10)
    done = _model(service.job_json(job, stack.sim.clock.now(), root))
    assert done.status is SnapshotJobStatus.Succeeded and done.completed_date_time is not None
    assert done.resource_location and done.resource_location.startswith(root)
    assert done.tenant_id == stack.sim.world.scenario.tenant_id


def test_create_refuses_a_display_name_with_other_characters(start_stack: Start) -> None:
    stack = start_stack()
    with pytest.raises(SnapshotError, match="answered 400"):
        stack.client.create("teams-sip: bad!", "d", RESOURCES)
    assert stack.jobs_created == 0


@pytest.mark.parametrize("body", [{"something": []}, "text", 3, {"resources": [{"properties": {}}]},
                                  [{"resourceType": "microsoft.teams.callingpolicy", "properties": "x"}]])
def test_unknown_layouts_are_refused_whole(body: object) -> None:
    if isinstance(body, list):
        body = {"resources": body}
    with pytest.raises(SnapshotLayoutError):
        parse_snapshot(body, NOW, RESOURCES)


def test_items_layout_with_dsc_names_and_absent_entries() -> None:
    body = [
        {"ResourceName": "TeamsCallingPolicy", "Identity": "Tag:A", "AllowSIPDevicesCalling": True,
         "AllowCallRedirect": "Enabled"},
        {"ResourceName": "TeamsCallingPolicy", "Identity": "Tag:Gone", "Ensure": "Absent"},
        {"resourceType": "microsoft.teams.tenanttrustedipaddress", "Identity": "192.0.2.1"},
    ]
    config = parse_snapshot(body, NOW, RESOURCES)
    assert [p.name for p in config.calling_policies or ()] == ["Tag:A"]
    assert config.trusted_ips is not None and config.trusted_ips[0].mask_bits is None
    assert config.conditional_access == () and config.resource_count == 3
    partial = parse_snapshot(body, NOW, ())
    assert partial.conditional_access is None and partial.calling_policies is not None


def test_scenario_file_switches_round_trip_and_bad_values_are_refused() -> None:
    from teams_sip.simulator import Scenario
    from teams_sip.simulator.scenario import ScenarioError

    raw = Scenario.generate(users=3).to_dict()
    assert "configSnapshots" not in raw  # the defaults stay out of the file
    raw["configSnapshots"] = {"layout": "items", "outcome": "partiallySuccessful", "servicePrincipal": "no_role",
                              "trustedIps": [{"identity": "203.0.113.0", "maskBits": 24}],
                              "conditionalAccess": [{"DisplayName": "MFA", "State": "enabled"}]}
    loaded = Scenario.from_dict(raw)
    assert loaded.snapshots.layout == "items" and loaded.snapshots.trusted_ips == (("203.0.113.0", 24),)
    assert Scenario.from_dict(loaded.to_dict()) == loaded
    with pytest.raises(ScenarioError, match="layout"):
        Scenario.from_dict(raw | {"configSnapshots": {"layout": "csv"}})
    with pytest.raises(ScenarioError, match="unknown keys"):
        Scenario.from_dict(raw | {"configSnapshots": {"bogus": 1}})
