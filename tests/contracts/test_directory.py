"""The Directory port's contract (its session, reads, users, policies, assignments), run unchanged on
Graph against the simulated tenant and on the in-memory fake (tests/fakes/directory.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.eligibility import Lookup
from teams_sip.service.ports.directory import Assignment, DirectorySession
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users
from tests.fakes.directory import SIP_POLICY, MemoryDirectory, MemoryDirectorySession, eligible_user

KNOWN, UNKNOWN = "anna@contoso.com", "nobody@contoso.com"


@pytest.fixture(params=["memory", "graph"])
def session(request: pytest.FixtureRequest) -> Iterator[DirectorySession]:
    if request.param == "memory":
        yield MemoryDirectorySession(MemoryDirectory([eligible_user(KNOWN, "u-anna")]))
        return
    with SimulatedTenant.start(scenario_for_users([(KNOWN, "Anna", "eligible")])) as sim:
        values = settings_values(sim, provisioning_mode="assisted") | {"HTTP_RETRY_BASE_DELAY_SECONDS": "0.01"}
        wiring = build_wiring(settings_from_values(values), clock=sim.clock, in_memory=True)
        try:
            yield wiring.directory
        finally:
            wiring.close()


def test_every_upn_asked_gets_an_answer_keyed_case_folded(session: DirectorySession) -> None:
    with session.reads() as reads:
        directory = reads.directory()
        assert reads.directory() is directory, "one directory for the whole of one pre-flight"
        facts = reads.run(directory.read_users(["Anna@Contoso.com", UNKNOWN]))
    assert set(facts) == {KNOWN, UNKNOWN}
    assert facts[KNOWN].lookup is Lookup.FOUND and facts[KNOWN].user_id
    assert facts[UNKNOWN].lookup is Lookup.NOT_FOUND


def test_policies_are_found_by_name_and_assigned_one_result_each(session: DirectorySession) -> None:
    with session.reads() as reads:
        user_id = reads.run(reads.directory().read_users([KNOWN]))[KNOWN].user_id
    directory = session.open()
    policy = session.run(directory.policy_id("TeamsCallingPolicy", SIP_POLICY))
    assert policy and session.run(directory.policy_id("TeamsCallingPolicy", "NoSuchPolicy")) is None
    assert user_id is not None
    [result] = session.run(directory.assign([Assignment(user_id, "TeamsCallingPolicy", policy)]))
    assert result.ok and result.user_id == user_id


def test_a_pass_may_start_reads_ahead_and_skip_them(session: DirectorySession) -> None:
    session.roster_imported(500)  # the adapter may decide to read ahead for the next pass
    with session.reads(pass_starting=True) as reads:
        reads.skip()
    with session.reads(pass_starting=True) as reads:
        assert KNOWN in reads.run(reads.directory().read_users([KNOWN]))
