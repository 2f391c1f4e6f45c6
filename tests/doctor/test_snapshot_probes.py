"""The configuration-snapshot probes in every simulator variant: permission, service principal and
its role, the job listing, and (only with --create-snapshot) the layout of a snapshot it takes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.service.doctor import DoctorReport, Verdict, run_doctor
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from tests.doctor.conftest import Doctor, snapshot_switch, values

OK, NO, NA, SKIP = Verdict.CONFIRMED, Verdict.CONTRADICTED, Verdict.NOT_AVAILABLE, Verdict.SKIPPED
SP, ROLE, JOBS, LAYOUT, PERM = ("configurationSnapshots.servicePrincipal", "configurationSnapshots.role",
                                "configurationSnapshots.jobs", "configurationSnapshots.layout",
                                "configurationSnapshots.permission")
GRANT = "scripts/grant-graph-permissions.sh"


def seen(report: DoctorReport, probe: str) -> tuple[Verdict, str]:
    finding = report.finding(probe)
    return finding.verdict, finding.reading


def create(sim: SimulatedTenant, polls: int = 20) -> DoctorReport:
    """The doctor with --create-snapshot; waiting moves the simulated clock, as the CLI's --simulator does."""

    def wait(seconds: float) -> None:
        sim.clock.advance(timedelta(seconds=seconds))

    port, options = build_doctor(settings_from_values(values(sim)), create_snapshot=True, wait=wait)
    try:
        return run_doctor(port, replace(options, snapshot_polls=polls))
    finally:
        port.close()


def test_read_only_by_default(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.reset_stats()
    report = doctor()
    assert seen(report, PERM) == (OK, "granted")
    assert seen(report, SP) == (SKIP, "cannot-read") and seen(report, ROLE) == (SKIP, "cannot-read")
    assert seen(report, JOBS) == (OK, "listed") and report.finding(JOBS).evidence["jobs"] == 0
    assert seen(report, LAYOUT) == (SKIP, "not-asked")
    assert "--create-snapshot" in report.finding(LAYOUT).why
    assert sim.world.config_snapshots.created == 0
    assert all(name.startswith("GET") for name in sim.stats()["requests"])


@pytest.mark.parametrize(("principal", "sp", "role"), [
    ("present", (OK, "present"), (OK, "global-reader")),
    ("no_role", (OK, "present"), (NA, "no-role")),
    ("missing", (NA, "missing"), (SKIP, "")),
])
def test_service_principal_variants(sim: SimulatedTenant, doctor: Doctor, principal: str,
                                    sp: tuple[Verdict, str], role: tuple[Verdict, str]) -> None:
    sim.set_app_roles([*ALL_ROLES, "Application.Read.All"])
    snapshot_switch(sim, service_principal=principal)
    report = doctor()
    assert (seen(report, SP), seen(report, ROLE)) == (sp, role)
    assert seen(report, "permissions.graph") == (OK, "exact")  # the optional doctor permission is not "unneeded"
    not_confirmed = [f for f in (report.finding(SP), report.finding(ROLE)) if f.verdict is NA]
    assert all(GRANT in f.remedy for f in not_confirmed)


def test_missing_permission_is_named_with_the_script(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles([r for r in ALL_ROLES if r != "ConfigurationMonitoring.ReadWrite.All"])
    report = doctor()
    assert seen(report, PERM) == (NA, "missing")
    assert GRANT in report.finding(PERM).remedy
    assert seen(report, JOBS) == (NA, "forbidden")
    assert report.finding("permissions.graph").evidence["missing"] == ["ConfigurationMonitoring.ReadWrite.All"]


def test_existing_jobs_are_counted_by_status(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.world.config_snapshots = type(sim.world.config_snapshots).for_scenario(
        replace(sim.world.scenario, snapshots=replace(sim.world.scenario.snapshots, other_jobs=2)))
    finding = doctor().finding(JOBS)
    assert finding.evidence["jobs"] == 2 and sum(finding.evidence["statuses"].values()) == 2
    sim.clock.advance(timedelta(minutes=1))  # past notStarted: the statuses move with the jobs
    assert doctor().finding(JOBS).evidence["statuses"] == {"succeeded": 2}


@pytest.mark.parametrize("layout", ["resources", "items"])
def test_create_snapshot_tells_the_two_layouts_apart(sim: SimulatedTenant, layout: str) -> None:
    snapshot_switch(sim, layout=layout)
    sim.reset_stats()
    report = create(sim)
    finding = report.finding(LAYOUT)
    assert (finding.verdict, finding.reading) == (OK, layout)
    assert "Microsoft deletes it after 7 days" in finding.remedy
    assert finding.evidence["resourceTypes"] == {"microsoft.teams.callingpolicy": len(sim.world.calling_policies),
                                                 "microsoft.teams.ipphonepolicy": len(sim.world.ip_phone_policies)}
    assert "AllowSIPDevicesCalling" in finding.evidence["properties"]
    assert sim.world.config_snapshots.created == 1
    writes = {name: n for name, n in sim.stats()["requests"].items() if not name.startswith("GET")}
    assert writes == {"POST createSnapshot": 1}


@pytest.mark.parametrize(("changes", "expected"), [
    ({"service_principal": "no_role"}, (NA, "job-failed")),
    ({"outcome": "failed"}, (NA, "job-failed")),
    ({"service_principal": "missing"}, (NA, "no-service-principal")),
    ({"outcome": "partiallySuccessful"}, (OK, "resources")),
])
def test_create_snapshot_variants(sim: SimulatedTenant, changes: dict[str, str],
                                  expected: tuple[Verdict, str]) -> None:
    snapshot_switch(sim, **changes)
    finding = create(sim).finding(LAYOUT)
    assert (finding.verdict, finding.reading) == expected
    if finding.verdict is NA:
        assert GRANT in finding.remedy
    if finding.reading == "job-failed":
        assert "7 days" in finding.why


def test_a_job_still_running_says_it_stays(sim: SimulatedTenant) -> None:
    snapshot_switch(sim, run_minutes=600.0)
    finding = create(sim, polls=2).finding(LAYOUT)
    assert (finding.verdict, finding.reading) == (NA, "still-running")
    assert "Microsoft deletes it after 7 days" in finding.why
    assert sim.world.config_snapshots.created == 1
