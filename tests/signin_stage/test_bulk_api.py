"""API mode end to end against the simulated tenant: the stage submits batches through the bulk
sign-in client, polls them on later passes, maps every documented error it can provoke, survives
a lost answer without a second batch, and takes one personal and one common-area account to
"signed in" (mail through Graph into the simulator's outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from teams_sip.adapters.auth import build_token_provider
from teams_sip.adapters.graph.blocking import GraphSession
from teams_sip.adapters.notify.graph_mail import GraphMailNotifier
from teams_sip.adapters.signin.api_client import BulkSignInApiClient, build_bulk_signin_client
from teams_sip.domain.signin.bulk import BulkItem
from teams_sip.domain.signin.errors import meaning_of
from teams_sip.domain.sites import Region
from teams_sip.service.ports.bulk_signin import BulkSignInError, BulkSignInPort
from teams_sip.service.signin_records import SignInBook
from teams_sip.simulator import Scenario, SimulatedTenant
from tests.clients.conftest import FAULTS_OFF, sim_settings

from .support import START, Bench, activate_in_sim, activated, hw_id

STEP = timedelta(minutes=6)  # longer than the simulated batch delay


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatedTenant]:
    from teams_sip.domain.clock import ManualClock

    with SimulatedTenant.start(Scenario.generate(users=40, seed=7), clock=ManualClock(START)) as tenant:
        yield tenant


@pytest.fixture
def bulk(sim: SimulatedTenant) -> Iterator[BulkSignInApiClient]:
    sim.set_faults(**FAULTS_OFF)
    sim.set_bulk_signin(delay=timedelta(minutes=5), tenant_ip_trusted=True, untrusted_locations=set(),
                        status_hardware_ids=True)
    settings = sim_settings(sim, HTTP_MAX_RETRIES="1")
    with build_bulk_signin_client(settings, build_token_provider(settings, sim.clock), sim.bulk_signin_url) as c:
        yield c
    sim.set_faults(**FAULTS_OFF)


def upn(sim: SimulatedTenant, case: str) -> str:
    return sim.scenario.users_with_case(case)[0].upn


def test_the_client_satisfies_the_port(bulk: BulkSignInApiClient) -> None:
    port: BulkSignInPort = bulk
    assert port is bulk and bulk.status("no-such-batch") is None


def test_every_cause_the_world_shows_maps_to_its_documented_error_and_outcome(tmp_path: Path, sim, bulk) -> None:
    bench = Bench(tmp_path, sim.clock, bulk=bulk)
    late = hw_id("E1")
    activate_in_sim(sim, late)
    sim.clock.advance(timedelta(hours=72, minutes=1))  # Teams activated it long ago; our record lags
    good = upn(sim, "common_area")
    cases = {
        "ok": (good, "Berlin"), "user": ("gone@contoso.example", "Berlin"),
        "phone": (upn(sim, "no_phone_number"), "Berlin"), "sip": (upn(sim, "policy_not_sip"), "Berlin"),
        "cap": (upn(sim, "common_area_no_cap_policy"), "Berlin"), "tag": (good, "Berlin"),
        "offline": (good, "Berlin"), "ip": (good, "Lobby"),
    }
    ids = {name: hw_id("E1") for name in cases}
    for name, (_, location) in cases.items():
        activate_in_sim(sim, ids[name], location)
    missing = hw_id("E1")  # in our records, never in Teams
    sim.set_bulk_tag(ids["tag"], False)
    sim.take_offline(ids["offline"])
    sim.set_bulk_signin(untrusted_locations={"Lobby"})
    now = sim.clock.now()
    for name, (account, _) in cases.items():
        bench.add(activated(ids[name], account, now, common_area=True))
    bench.add(activated(missing, good, now, common_area=True))
    bench.add(activated(late, good, now, common_area=True))
    first = bench.stage.run()
    assert first.batches_written == 1 and first.batches_submitted == 1 and first.batches_in_flight == 1
    sim.clock.advance(STEP)
    summary = bench.stage.run()
    assert summary.batches_completed == 1 and summary.batches_in_flight == 1  # the offline one again
    entries = SignInBook(bench.store).devices()
    seen = {name: (entries[hw].error, entries[hw].outcome) for name, hw in ids.items()}
    seen["missing"] = (entries[missing].error, entries[missing].outcome)
    seen["late"] = (entries[late].error, entries[late].outcome)
    assert seen == {
        "ok": ("", "signed_in"),
        "user": ("User not found in tenant", "eligibility"),
        "phone": ("User missing phone number assignment", "eligibility"),
        "sip": ("User missing AllowSIPDevicesCalling policy assignment", "eligibility"),
        "cap": ("User missing CAP policy assignment", "eligibility"),
        "tag": ("BulkSignIn Tag missing for the device", "needs_admin"),
        "offline": ("Device is offline", "retry"),
        "ip": ("Public IP not configured as Trusted IP", "needs_admin"),
        "missing": ("Device not found in records", "new_onboarding"),
        "late": ("Bulk Sign-in deadline expired", "new_onboarding"),
    }
    assert sim.world.devices.devices[ids["ok"]].state == "signedIn"
    assert summary.batches_written == 1 and summary.batches_submitted == 1  # the offline one, batched again
    assert len(summary.needs_person) == 8


def test_duplicate_and_wrong_format_answers_map_to_needs_admin(sim, bulk) -> None:
    """The stage never sends either (it refuses duplicates and bad ids first); the answers still map."""
    hw = hw_id("E2")
    batch_id = bulk.submit(Region.NOAM, [BulkItem(hw, "a@contoso.example"), BulkItem(hw, "b@contoso.example")], "dup-1")
    sim.clock.advance(STEP)
    status = bulk.status(batch_id)
    assert status is not None and status.completed
    assert {(i.error, i.meaning.outcome.value) for i in status.items} == {  # the answer names their addresses
        ("Duplicate devices found for bulk sign-in. IP addresses: 192.0.2.1, 192.0.2.2", "needs_admin")}
    assert meaning_of("Failed", "Input hardware-ID is of wrong format").outcome.value == "needs_admin"


def test_a_lost_answer_never_makes_a_second_batch(tmp_path: Path, sim, bulk) -> None:
    bench = Bench(tmp_path, sim.clock, bulk=bulk)
    hw = hw_id("E3")
    activate_in_sim(sim, hw)
    bench.add(activated(hw, upn(sim, "common_area"), sim.clock.now(), common_area=True))
    before = len(sim.bulk_batches())
    sim.set_faults(resets=1.0)  # every answer is lost mid-way
    lost = bench.stage.run()
    assert lost.batches_written == 1 and lost.batches_submitted == 0 and "not confirmed" in lost.errors[0]
    sim.set_faults(**FAULTS_OFF)
    assert bench.stage.run().batches_submitted == 1  # resent with the same reference
    sim.set_faults(resets=1.0)
    sim.clock.advance(STEP)
    polled = bench.stage.run()
    assert polled.batches_completed == 0 and polled.batches_written == 0 and "unknown" in polled.errors[0]
    sim.set_faults(**FAULTS_OFF)
    done = bench.stage.run()
    assert done.outcomes == {"signed_in": 1} and done.batches_written == 0
    assert len(sim.bulk_batches()) == before + 1


def test_a_refused_batch_goes_back_to_the_pool(tmp_path: Path, sim, bulk) -> None:
    filler = [BulkItem(hw_id("E4"), "x@contoso.example")]
    for n in range(3):  # someone else's batches fill the region
        bulk.submit(Region.APAC, filler, f"other-{n}")
    bench = Bench(tmp_path, sim.clock, bulk=bulk)
    hw = hw_id("E4")
    activate_in_sim(sim, hw, "Tokyo")
    bench.add(activated(hw, upn(sim, "common_area"), sim.clock.now(), common_area=True, site="Tokyo",
                        region=Region.APAC))
    refused = bench.stage.run()
    assert refused.batches_submitted == 0 and "refused" in refused.errors[0] and refused.batches_in_flight == 0
    sim.clock.advance(STEP)
    assert bench.stage.run().batches_submitted == 1
    sim.clock.advance(STEP)
    assert bench.stage.run().outcomes == {"signed_in": 1}


def test_one_personal_and_one_common_area_account_reach_signed_in(tmp_path: Path, sim, bulk) -> None:
    settings = sim_settings(sim)
    with GraphSession(settings, build_token_provider(settings, sim.clock)) as graph:
        mailer = GraphMailNotifier(graph, upn(sim, "eligible"))
        bench = Bench(tmp_path, sim.clock, notifier=mailer, bulk=bulk)
        person, shared = hw_id("E5"), hw_id("E5")
        personal_upn, shared_upn = sim.scenario.users_with_case("eligible")[1].upn, upn(sim, "common_area")
        for hw in (person, shared):
            activate_in_sim(sim, hw)
        bench.add(activated(person, personal_upn, sim.clock.now()))
        bench.add(activated(shared, shared_upn, sim.clock.now(), common_area=True))
        before = len(sim.outbox)
        first = bench.stage.run()
        assert first.notices == {"first": 1} and first.batches_submitted == 1
        [mail] = sim.outbox[before:]
        assert mail.to == (personal_upn,) and "aka.ms/siplogin" in mail.body
        sim.sign_in(person, personal_upn)  # the user follows the mail
        sim.clock.advance(STEP)
        assert bench.stage.run().outcomes == {"signed_in": 1}
    devices = sim.world.devices.devices
    assert (devices[person].state, devices[person].signed_in_user) == ("signedIn", personal_upn)
    assert (devices[shared].state, devices[shared].signed_in_user) == ("signedIn", shared_upn)


def test_a_refused_token_names_no_invented_permission(sim, bulk) -> None:
    sim.set_app_roles(["User.Read.All"])
    try:
        with pytest.raises(BulkSignInError) as caught:
            bulk.submit(Region.NOAM, [BulkItem(hw_id("E9"), "a@contoso.example")], "denied-1")
    finally:
        from teams_sip.simulator.catalog import ALL_ROLES

        sim.set_app_roles(list(ALL_ROLES))
    text = str(caught.value)
    assert caught.value.status == 403 and "TeamsDevice.ReadWrite.All" not in text and "grant" not in text


@pytest.mark.parametrize("with_hardware_ids", [True, False])
def test_status_items_are_matched_by_hardware_id_when_there_else_by_username(tmp_path: Path, sim, bulk,
                                                                              with_hardware_ids: bool) -> None:
    sim.set_bulk_signin(status_hardware_ids=with_hardware_ids)
    bench = Bench(tmp_path, sim.clock, bulk=bulk)
    hw = hw_id("E6" if with_hardware_ids else "E7")
    activate_in_sim(sim, hw)
    bench.add(activated(hw, upn(sim, "common_area"), sim.clock.now(), common_area=True))
    assert bench.stage.run().batches_submitted == 1
    dashed = BulkItem(hw, "").dashed
    [batch_id] = [b["BatchId"] for b in sim.bulk_batches() if any(i["HardwareId"] == dashed for i in b["BatchItem"])]
    sim.clock.advance(STEP)
    status = bulk.status(batch_id)
    assert status is not None and [i.hardware_id for i in status.items] == [hw if with_hardware_ids else None]
    assert bench.stage.run().outcomes == {"signed_in": 1}
