"""Every probe against the simulator in each of its variants: the verdict and reading must differ
where the tenant's answers differ (a probe that cannot tell two variants apart fails here)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from teams_sip.service.doctor import DoctorReport, Verdict
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from tests.doctor.conftest import Doctor, switch

OK, NO, NA, SKIP = Verdict.CONFIRMED, Verdict.CONTRADICTED, Verdict.NOT_AVAILABLE, Verdict.SKIPPED


def seen(report: DoctorReport, probe: str) -> tuple[Verdict, str]:
    finding = report.finding(probe)
    return finding.verdict, finding.reading


def test_the_documented_tenant_confirms_and_only_reads(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.reset_stats()
    report = doctor()
    expected = {
        "signIn.graph": (OK, "token"), "permissions.graph": (OK, "exact"), "users.filterIn": (OK, "kept"),
        "users.assignedPlans": (OK, "present"), "users.count": (OK, "number"),
        "userConfigurations.lookup": (OK, "wrapped"), "userConfigurations.listing": (OK, "link-absolute"),
        "userConfigurations.orderby": (OK, "kept"), "userConfigurations.ineligibleUser": (SKIP, ""),
        "userConfigurations.defaultPolicyListed": (OK, "listed"), "userConfigurations.voiceFlag": (OK, "own-flag"),
        "policyAssignment.getPolicyId": (OK, "answered"), "teamwork.answers": (OK, "devices"),
        "teamwork.linkForm": (OK, "relative"), "teamwork.pageSize": (OK, "20"),
        "policyAdmin.callingPolicies": (OK, "fields"), "throttling.headers": (SKIP, ""),
        "configurationSnapshots.permission": (OK, "granted"),
        "configurationSnapshots.servicePrincipal": (SKIP, "cannot-read"),
        "configurationSnapshots.role": (SKIP, "cannot-read"), "configurationSnapshots.jobs": (OK, "listed"),
        "configurationSnapshots.layout": (SKIP, "not-asked"), "signInLogs.access": (OK, "answered"),
        "signInLogs.sipGateway": (SKIP, "none"),
    }
    assert {f.probe: (f.verdict, f.reading) for f in report.findings} == expected
    assert report.healthy and report.requests <= 20
    routes = sim.stats()["requests"]
    assert routes and all(name.startswith("GET") for name in routes), routes
    assert report.finding("permissions.graph").evidence["missing"] == []


@pytest.mark.parametrize(("listing", "answers"), [
    ("documented", (OK, "devices")), ("empty", (OK, "empty")), ("retired", (NA, "retired")),
    ("gone", (NA, "gone")), ("failing", (NA, "failing")),
])
def test_teamwork_listing_variants(sim: SimulatedTenant, doctor: Doctor, listing: str,
                                   answers: tuple[Verdict, str]) -> None:
    sim.set_teamwork(listing=listing)
    report = doctor()
    assert seen(report, "teamwork.answers") == answers
    link = seen(report, "teamwork.linkForm")[0]
    assert link is (OK if listing == "documented" else SKIP)


def test_teamwork_absolute_links_and_off(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_teamwork(link_form="absolute")
    assert seen(doctor(), "teamwork.linkForm") == (NO, "absolute")
    off = doctor(TEAMWORK_DEVICES="off")
    assert {off.finding(p).verdict for p in ("teamwork.answers", "teamwork.linkForm", "teamwork.pageSize")} == {SKIP}


def test_teamwork_forbidden_names_the_permission(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles([r for r in ALL_ROLES if r != "TeamworkDevice.Read.All"])
    report = doctor()
    assert seen(report, "teamwork.answers") == (NA, "forbidden")
    assert "TeamworkDevice.Read.All" in report.finding("teamwork.answers").why
    assert seen(report, "permissions.graph") == (NA, "missing")
    assert report.finding("permissions.graph").evidence["missing"] == ["TeamworkDevice.Read.All"]


def test_reduced_roles_name_what_is_missing(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles(["User.Read.All", "TeamworkDevice.Read.All", "Directory.Read.All"])
    report = doctor()
    missing = report.finding("permissions.graph")
    assert missing.verdict is NA
    assert missing.evidence["missing"] == ["ConfigurationMonitoring.ReadWrite.All",
                                           "TeamsPolicyUserAssign.ReadWrite.All", "TeamsUserConfiguration.Read.All"]
    assert missing.evidence["unneeded"] == ["Directory.Read.All"]
    assert seen(report, "userConfigurations.lookup") == (NA, "forbidden")
    assert seen(report, "policyAssignment.getPolicyId") == (NA, "forbidden")
    assert seen(report, "policyAdmin.callingPolicies") == (NA, "forbidden")
    assert seen(report, "users.filterIn") == (OK, "kept")


def test_an_unneeded_role_alone_contradicts(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_app_roles([*ALL_ROLES, "User.ReadWrite.All"])
    finding = doctor().finding("permissions.graph")
    assert (finding.verdict, finding.reading) == (NO, "unneeded")
    assert "User.ReadWrite.All" in finding.instead


def test_a_certificate_credential_signs_in(sim: SimulatedTenant, doctor: Doctor) -> None:
    report = doctor(CLIENT_SECRET="", AUTH_MODE="certificate", CLIENT_CERTIFICATE_PATH=str(sim.cert_pem_path),
                    CLIENT_CERTIFICATE_KEY_PATH=str(sim.key_pem_path))
    assert seen(report, "signIn.graph") == (OK, "token")
    assert report.finding("signIn.graph").evidence == {"credential": "certificate"}


def test_a_refused_sign_in_is_not_available(doctor: Doctor) -> None:
    report = doctor(CLIENT_SECRET="not-the-secret")
    assert seen(report, "signIn.graph") == (NA, "refused")
    assert seen(report, "users.count")[0] is NA
    assert not report.healthy


@pytest.mark.parametrize(("listed", "expected"), [(True, (OK, "listed")), (False, (NO, "not-listed"))])
def test_default_policy_listed_or_not(sim: SimulatedTenant, doctor: Doctor, listed: bool,
                                      expected: tuple[Verdict, str]) -> None:
    switch(sim, default_policies_listed=listed)
    assert seen(doctor(), "userConfigurations.defaultPolicyListed") == expected


@pytest.mark.parametrize(("own", "expected"), [(True, (OK, "own-flag")), (False, (NO, "always-false"))])
def test_voice_flag_without_calling_plan(sim: SimulatedTenant, doctor: Doctor, own: bool,
                                         expected: tuple[Verdict, str]) -> None:
    switch(sim, voice_flag_without_calling_plan=own)
    report = doctor()
    assert seen(report, "userConfigurations.voiceFlag") == expected
    evidence = report.finding("userConfigurations.voiceFlag").evidence
    assert evidence["voiceTrue"] + evidence["voiceFalse"] == evidence["withNumberNoCallingPlan"] > 0


@pytest.mark.parametrize(("reading", "expected"), [
    ("kept", (OK, "kept")), ("refused", (NO, "refused")), ("ignored", (NO, "ignored")),
])
def test_listing_orderby(sim: SimulatedTenant, doctor: Doctor, reading: str, expected: tuple[Verdict, str]) -> None:
    switch(sim, listing_orderby=reading)
    assert seen(doctor(), "userConfigurations.orderby") == expected


@pytest.mark.parametrize("where", [0, -1])  # on the first listing page, or found by $filter beyond it
def test_ineligible_user_named_with_the_prefer_header(sim: SimulatedTenant, doctor: Doctor, where: int) -> None:
    with sim.world.lock:
        first = list(sim.world.users.values())[where]
        sim.world.users[first.id] = replace(first, account_type="ineligibleUser")
    finding = doctor().finding("userConfigurations.ineligibleUser")
    assert (finding.verdict, finding.reading) == (OK, "named")
    assert "ineligibleUser" in finding.evidence["accountTypes"]
    assert sim.prefer_received()["GET /v1.0/admin/teams/userConfigurations"].get("include-unknown-enum-members")


def test_a_user_without_assigned_plans(sim: SimulatedTenant, doctor: Doctor) -> None:
    with sim.world.lock:
        first = next(iter(sim.world.users.values()))
        sim.world.users[first.id] = replace(first, assigned_plans_shown=False)
    finding = doctor().finding("users.assignedPlans")
    assert (finding.verdict, finding.reading, finding.evidence["without"]) == (NO, "missing", 1)


def test_get_policy_id_for_a_policy_that_does_not_exist(doctor: Doctor) -> None:
    assert seen(doctor(policy="NoSuchPolicy"), "policyAssignment.getPolicyId") == (NO, "not-found")


def test_throttling_headers_seen(sim: SimulatedTenant, doctor: Doctor) -> None:
    sim.set_faults(rate_limit_per_s=20, burst=4)
    finding = doctor().finding("throttling.headers")
    assert (finding.verdict, finding.reading) == (OK, "retry-after")
    assert finding.evidence["throttled"] >= 1 and "retry-after" in finding.evidence["rateLimitHeaders"]


class _HeldClock:
    """The simulator's bucket clock, held still until the doctor has been refused once: on a loaded
    machine a real clock refilled the drained bucket before the doctor's request reached it."""

    def __init__(self) -> None:
        self.held_at: float | None = time.monotonic()

    def monotonic(self) -> float:
        return self.held_at if self.held_at is not None else time.monotonic()


def test_throttling_documented_retry_after_is_read_as_decimal_seconds(
        sim: SimulatedTenant, doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    """Under the documented preset a Teams 429 says Retry-After such as `0.034` (decimal seconds, as
    Microsoft's sample); the doctor waits that long, is answered, and reports the values as sent.
    The app's Teams GET bucket is emptied on a held clock, released once the doctor is refused."""
    sim.set_faults(throttling="documented")
    clock = _HeldClock()
    monkeypatch.setattr("teams_sip.simulator.throttling.time", clock)
    while sim.faults.throttle(sim.client_id, "/v1.0", "GET", "/admin/teams/userConfigurations")[0] is None:
        pass  # empty the bucket
    refused_before = sim.faults.throttled
    stop = threading.Event()

    def release() -> None:
        while not stop.is_set() and sim.faults.throttled == refused_before:
            time.sleep(0.005)
        clock.held_at = None

    releaser = threading.Thread(target=release, daemon=True)
    releaser.start()
    try:
        report = doctor()
    finally:
        stop.set()
        releaser.join()
    finding = report.finding("throttling.headers")
    assert (finding.verdict, finding.reading) == (OK, "retry-after"), finding
    waits = finding.evidence["retryAfterSeconds"]
    assert waits and all("." in w and 0 < float(w) <= 2 for w in waits), waits
    assert "x-ms-resource-unit" in finding.evidence["rateLimitHeaders"], "identity answers say what they cost"
    assert seen(report, "userConfigurations.orderby")[0] == OK, "the refused reads were retried and answered"
