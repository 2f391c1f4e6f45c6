"""The ProvisioningPort contract, run unchanged on the API client against the simulated tenant and
on the in-memory fake (tests/fakes/provisioning.py) the service tests use."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.errors import InputError
from teams_sip.service.ports.provisioning import DeviceAlreadyActivatedError, DeviceRegistration, ProvisioningPort
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users
from tests.fakes.provisioning import MemoryProvisioning

START = datetime(2026, 3, 17, 7, 0, tzinfo=UTC)
A, B, C = "000DEADBEEF4", "0004D5F98000", "0003717C0E0A"


@dataclass
class Subject:
    port: ProvisioningPort
    clock: ManualClock
    dial: Callable[[str, str], None]  # the technician dials a code on a handset


@pytest.fixture(params=["memory", "api"])
def subject(request: pytest.FixtureRequest) -> Iterator[Subject]:
    clock = ManualClock(START)
    if request.param == "memory":
        fake = MemoryProvisioning(clock.now)
        yield Subject(fake, clock, fake.dial)
        return
    with SimulatedTenant.start(scenario_for_users([("anna@contoso.com", "Anna", "eligible")]), clock=clock) as sim:
        values = settings_values(sim) | {"HTTP_RETRY_BASE_DELAY_SECONDS": "0.01"}
        wiring = build_wiring(settings_from_values(values), clock=clock, in_memory=True)
        port = wiring.provisioning
        assert port is not None
        try:
            yield Subject(port, clock, sim.dial_code)
        finally:
            wiring.close()


def test_register_is_idempotent_and_the_device_waits_on_activation(subject: Subject) -> None:
    port = subject.port
    first = port.register([DeviceRegistration(A, "Lyon Plant"), DeviceRegistration("00-04-D5-F9-80-00", "Oslo")])
    assert [(r.hardware_id, r.status) for r in first] == [(A, "created"), (B, "created")]
    assert [r.status for r in port.register([DeviceRegistration(A, "Lyon Plant")])] == ["exists"]
    device = port.get(A)
    assert device is not None and (device.location, device.state) == ("Lyon Plant", "waitingOnActivation")
    assert device.registered_at == START and device.code_expires_at is None
    assert port.get(C) is None
    with pytest.raises(InputError):
        port.register([DeviceRegistration(C, "  ")])


def test_a_code_lives_24_hours_and_only_for_a_registered_device_waiting_on_activation(subject: Subject) -> None:
    port = subject.port
    port.register([DeviceRegistration(A, "Lyon Plant")])
    [issued, unknown] = port.issue_codes([A, C])
    assert issued.ok and issued.code is not None and issued.expires_at == START + timedelta(hours=24)
    assert not unknown.ok and unknown.error_code == "notRegistered"
    assert issued.code.reveal() not in repr(issued)
    device = port.get(A)
    assert device is not None and device.code_expires_at == issued.expires_at

    subject.clock.advance(timedelta(minutes=5))
    [again] = port.issue_codes([A])
    assert again.ok and again.expires_at == START + timedelta(hours=24, minutes=5), "a new code replaces the old"
    assert again.code is not None
    subject.dial(A, again.code.reveal())
    after = port.get(A)
    assert after is not None and after.state == "waitingForSignIn" and after.code_expires_at is None
    [late] = port.issue_codes([A])
    assert not late.ok and late.error_code == "alreadyActivated"


def test_only_a_device_waiting_on_activation_can_be_removed(subject: Subject) -> None:
    port = subject.port
    port.register([DeviceRegistration(A, "Lyon Plant"), DeviceRegistration(B, "Lyon Plant")])
    assert port.remove(B) is True and port.get(B) is None
    assert port.remove(B) is False, "unknown: nothing to remove"
    [code] = port.issue_codes([A])
    assert code.code is not None
    subject.dial(A, code.code.reveal())
    with pytest.raises(DeviceAlreadyActivatedError):
        port.remove(A)


def test_the_listing_filters_by_state(subject: Subject) -> None:
    port = subject.port
    port.register([DeviceRegistration(A, "Lyon Plant"), DeviceRegistration(B, "Lyon Plant")])
    [code] = port.issue_codes([B])
    assert code.code is not None
    subject.dial(B, code.code.reveal())
    assert {d.hardware_id for d in port.list_devices()} == {A, B}
    assert [d.hardware_id for d in port.list_devices("waitingOnActivation")] == [A]
    assert [d.hardware_id for d in port.list_devices("waitingForSignIn")] == [B]
    with pytest.raises(InputError):
        port.list_devices("gone")  # type: ignore[arg-type]
