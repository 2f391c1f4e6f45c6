"""The loop: a doctor report of a tenant that answers otherwise becomes a scenario that answers the
same, and the doctor run against that scenario reads the same as the report."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.entrypoints.cli import main
from teams_sip.errors import InputError
from teams_sip.service.doctor import DoctorReport, run_doctor
from teams_sip.simulator import Scenario, SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from teams_sip.simulator.observed import load_report, scenario_from_report
from tests.doctor.conftest import Doctor, snapshot_switch, switch, values

PROBES = ("userConfigurations.defaultPolicyListed", "userConfigurations.voiceFlag", "userConfigurations.orderby",
          "teamwork.answers", "teamwork.linkForm", "permissions.graph")


def readings(report: DoctorReport) -> dict[str, str]:
    return {p: report.finding(p).reading for p in PROBES}


def test_a_report_becomes_a_scenario_that_answers_the_same(sim: SimulatedTenant, doctor: Doctor) -> None:
    switch(sim, default_policies_listed=False, voice_flag_without_calling_plan=False, listing_orderby="refused")
    sim.set_teamwork(listing="retired")
    sim.set_app_roles(["User.Read.All", "TeamsUserConfiguration.Read.All", "TeamsPolicyUserAssign.ReadWrite.All",
                       "TeamworkDevice.Read.All", "Directory.Read.All", "TeamsPolicy.Read.All"])
    observed = doctor(TEAMWORK_DEVICES="on")
    report = json.loads(json.dumps(observed.as_json()))
    scenario, notes = scenario_from_report(report, Scenario.generate(users=40, seed=1, devices=5))
    assert notes == []
    with SimulatedTenant.start(scenario) as replay:
        port, options = build_doctor(settings_from_values(values(replay)))
        try:
            again = run_doctor(port, options)
        finally:
            port.close()
    assert readings(again) == readings(observed)
    assert readings(again)["teamwork.answers"] == "retired"
    assert again.finding("permissions.graph").evidence == observed.finding("permissions.graph").evidence


def test_unmapped_contradictions_are_named_and_bad_files_refused(tmp_path: Path) -> None:
    report = {"findings": [{"probe": "users.assignedPlans", "verdict": "contradicted", "reading": "missing"}]}
    _, notes = scenario_from_report(report, Scenario.generate(users=5))
    assert notes == ["users.assignedPlans (missing): no scenario switch; write a scenario by hand"]
    bad = tmp_path / "r.json"
    bad.write_text("[1]", encoding="utf-8")
    with pytest.raises(InputError, match="not a doctor report"):
        load_report(bad)


def test_cli_doctor_then_simulator_observed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    markdown = tmp_path / "doctor.md"
    assert main(["doctor", "--simulator", "--json", "--markdown", str(markdown)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["verdicts"]["contradicted"] == 0 and "| probe |" in markdown.read_text()
    report["findings"].append({"probe": "teamwork.linkForm", "verdict": "contradicted", "reading": "absolute"})
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    out = tmp_path / "scenario.json"
    assert main(["simulator", "--users", "10", "--observed", str(path), "--write-scenario", str(out)]) == 0
    assert Scenario.load(out).teamwork.link_form == "absolute"


def test_cli_doctor_with_a_roster_looks_its_users_up(capsys: pytest.CaptureFixture[str]) -> None:
    roster = Path(__file__).resolve().parents[2] / "examples" / "handsets.csv"
    code = main(["doctor", "--simulator", "--json", "--roster", str(roster)])
    report = json.loads(capsys.readouterr().out)
    found = {f["probe"]: f for f in report["findings"]}
    assert found["users.filterIn"]["verdict"] == "confirmed"
    assert found["users.filterIn"]["evidence"]["asked"] == 5
    assert code in (0, 1)


def test_cli_doctor_refuses_a_missing_roster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--simulator", "--roster", str(tmp_path / "none.csv")]) == 2
    assert "Doctor not run" in capsys.readouterr().err


def test_snapshot_and_sign_in_log_readings_become_switches(sim: SimulatedTenant) -> None:
    sim.set_app_roles([*ALL_ROLES, "Application.Read.All"])
    snapshot_switch(sim, layout="items", service_principal="no_role")
    sim.set_entra_premium(False)
    probes = ("configurationSnapshots.role", "configurationSnapshots.layout", "signInLogs.access")

    def run(tenant: SimulatedTenant) -> DoctorReport:
        def wait(seconds: float) -> None:
            tenant.clock.advance(timedelta(seconds=seconds))

        port, options = build_doctor(settings_from_values(values(tenant)), create_snapshot=True, wait=wait)
        try:
            return run_doctor(port, options)
        finally:
            port.close()

    observed = run(sim)
    assert [observed.finding(p).reading for p in probes] == ["no-role", "job-failed", "no-premium"]
    scenario, notes = scenario_from_report(json.loads(json.dumps(observed.as_json())), Scenario.generate(users=20))
    assert (scenario.snapshots.service_principal, scenario.snapshots.outcome, scenario.entra_premium) == (
        "no_role", "failed", False)
    assert notes == []
    layout_only = {"findings": [{"probe": "configurationSnapshots.layout", "verdict": "confirmed", "reading": "items"}]}
    assert scenario_from_report(layout_only, Scenario.generate(users=5))[0].snapshots.layout == "items"
    with SimulatedTenant.start(scenario) as replay:
        replay.set_app_roles([*ALL_ROLES, "Application.Read.All"])
        again = run(replay)
    assert [again.finding(p).reading for p in probes] == [observed.finding(p).reading for p in probes]


def test_the_sign_in_app_id_has_no_switch_and_comes_back_as_a_note() -> None:
    def report(reading: str) -> dict[str, object]:
        return {"findings": [{"probe": "signInLogs.sipGateway", "verdict": "confirmed", "reading": reading}]}

    _, same = scenario_from_report(report("Teams SIP Gateway"), Scenario.generate(users=5))
    _, other = scenario_from_report(report("SIP Gateway API"), Scenario.generate(users=5))
    assert same == ["signInLogs.sipGateway (Teams SIP Gateway): as the simulator logs them"]
    assert "under SIP Gateway API" in other[0] and "no switch" in other[0]
