"""`Ports` on the in-memory fakes, as bootstrap.Wiring builds them on real adapters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from teams_sip.adapters.provisioning.assisted import AssistedProvisioning
from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.config import Settings, settings_from_values
from teams_sip.domain.clock import Clock, ManualClock
from teams_sip.domain.lifecycle.evidence import Source
from teams_sip.domain.lifecycle.inputs import ObservedDevice
from teams_sip.domain.lifecycle.records import DeviceRecord
from teams_sip.service.inventory import Inventory
from teams_sip.service.ports.bulk_signin import BulkSignInPort
from teams_sip.service.ports.config_snapshots import ConfigurationSnapshots
from teams_sip.service.ports.directory import PolicySettingsSource
from teams_sip.service.ports.inventory import SourceHealth, SourceReading
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import StateStore
from tests.fakes.artifacts import MemoryArtifactStore, MemoryNotifier
from tests.fakes.directory import SIP_POLICY, MemoryDirectorySession
from tests.fakes.provisioning import MemoryProvisioning

START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
TENANT = "11111111-2222-3333-4444-555555555555"
APP = "66666666-7777-8888-9999-000000000000"


def memory_settings(values: Mapping[str, str] | None = None, *, mode: str = "api") -> Settings:
    """Settings for a tenant nobody calls: the fakes stand behind every port."""
    base = {"TENANT_ID": TENANT, "CLIENT_ID": APP, "CLIENT_SECRET": "not-used", "PROVISIONING_MODE": mode,
            "PROVISIONING_BASE_URL": "https://provisioning.invalid", "COMPLIANT_CALLING_POLICIES": SIP_POLICY}
    return settings_from_values(base | dict(values or {}))


class MemoryInventory:
    """The SIP device listing as one inventory source: what `devices` holds is what Teams lists."""

    source = Source.TEAMWORK_DEVICES

    def __init__(self) -> None:
        self.devices: dict[str, ObservedDevice] = {}

    def read(self, records: Mapping[str, DeviceRecord], now: datetime) -> SourceReading:
        return SourceReading(self.source, SourceHealth(True, now), listing=dict(self.devices))


@dataclass
class MemoryPorts:
    settings: Settings
    clock: Clock = field(default_factory=lambda: ManualClock(START))
    store: StateStore = field(default_factory=MemoryStateStore)
    artifacts: MemoryArtifactStore = field(default_factory=MemoryArtifactStore)
    notifier: MemoryNotifier = field(default_factory=MemoryNotifier)
    directory: MemoryDirectorySession = field(default_factory=MemoryDirectorySession)
    sip_devices: MemoryInventory = field(default_factory=MemoryInventory)
    bulk_signin: BulkSignInPort | None = None
    config_snapshots: ConfigurationSnapshots | None = None  # policies judged by the catalogue alone
    api: MemoryProvisioning | None = None
    sent: int = 0
    fingerprint_key: bytes = b"in-memory test key, not secret"

    def __post_init__(self) -> None:
        if self.api is None and self.settings.provisioning_mode == "api":
            self.api = MemoryProvisioning(self.clock.now)

    @property
    def provisioning(self) -> ProvisioningPort | None:
        return self.api

    @property
    def inventory(self) -> Inventory:
        return Inventory([self.sip_devices], self.store)

    @property
    def registrar(self) -> ProvisioningPort:
        if self.api is not None:
            return self.api
        return AssistedProvisioning(self.artifacts, self.notifier, self.settings.rollout.admin_contacts,
                                    self.clock.now)

    def policy_settings(self) -> PolicySettingsSource | None:
        return None

    def traffic(self) -> tuple[int, int]:
        return self.sent, 0

    def close(self) -> None:
        return None
