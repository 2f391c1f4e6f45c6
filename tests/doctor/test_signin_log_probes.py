"""The sign-in log probes in every simulator variant: licence (entraPremium), permission, SIGNIN_LOGS
off, no SIP Gateway sign-in yet, and the app id(s) sign-ins appear under (counted, no user value)."""

from __future__ import annotations

import contextlib
import json

from teams_sip.service.doctor import DoctorReport, Verdict
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from teams_sip.simulator.devices import DeviceActionError
from tests.doctor.conftest import Doctor

OK, NA, SKIP = Verdict.CONFIRMED, Verdict.NOT_AVAILABLE, Verdict.SKIPPED
ACCESS, APPS = "signInLogs.access", "signInLogs.sipGateway"


def seen(report: DoctorReport, probe: str) -> tuple[Verdict, str]:
    finding = report.finding(probe)
    return finding.verdict, finding.reading


def sign_handsets_in(sim: SimulatedTenant, count: int) -> list[str]:
    """Sign `count` users in on the scenario's first device (refused attempts are logged too)."""
    hardware_id = sim.world.scenario.devices[0].hardware_id
    upns = [u.upn for u in list(sim.world.users.values())[:count]]
    for upn in upns:
        with contextlib.suppress(DeviceActionError):  # a refused sign-in is logged as well
            sim.sign_in(hardware_id, upn)
    return upns


def test_no_sign_in_yet_is_skipped_not_confirmed(doctor: Doctor) -> None:
    report = doctor()
    assert seen(report, ACCESS) == (OK, "answered")
    assert seen(report, APPS) == (SKIP, "none")


def test_sign_ins_are_counted_by_app_id_without_user_values(sim: SimulatedTenant, doctor: Doctor) -> None:
    upns = sign_handsets_in(sim, 3)
    report = doctor()
    finding = report.finding(APPS)
    assert (finding.verdict, finding.reading) == (OK, "Teams SIP Gateway")
    assert finding.evidence == {"entries": 3, "appIds": {"Teams SIP Gateway": 3}}
    text = json.dumps(report.as_json())
    assert not [upn for upn in upns if upn in text or upn.split("@")[0] in text]


def test_a_tenant_without_entra_premium(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_entra_premium(False)
    report = doctor()
    assert seen(report, ACCESS) == (NA, "no-premium")
    assert "P1 or P2" in report.finding(ACCESS).why
    assert seen(report, APPS)[0] is SKIP


def test_missing_permission_with_signin_logs_on(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles([r for r in ALL_ROLES if r != "AuditLog.Read.All"])
    report = doctor(SIGNIN_LOGS="on")
    assert seen(report, ACCESS) == (NA, "forbidden")
    assert "AuditLog.Read.All" in report.finding(ACCESS).remedy
    assert report.finding("permissions.graph").evidence["missing"] == ["AuditLog.Read.All"]


def test_off_and_not_granted_is_skipped(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles([r for r in ALL_ROLES if r != "AuditLog.Read.All"])
    report = doctor()
    assert seen(report, ACCESS) == (SKIP, "") and seen(report, APPS) == (SKIP, "")
    assert report.finding("permissions.graph").evidence["missing"] == []
