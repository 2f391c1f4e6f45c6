"""Every port the use cases work through, as one object the composition root (teams_sip/bootstrap.py)
builds from settings. The service layer sees only this Protocol; which adapter stands behind each
member (and whether it talks to Microsoft, the simulator or memory) is decided there."""

from __future__ import annotations

from typing import Protocol

from teams_sip.config import Settings
from teams_sip.domain.clock import Clock
from teams_sip.service.inventory import Inventory
from teams_sip.service.ports.bulk_signin import BulkSignInPort
from teams_sip.service.ports.config_snapshots import ConfigurationSnapshots
from teams_sip.service.ports.directory import DirectorySession, PolicySettingsSource
from teams_sip.service.ports.notifier import ArtifactStore, Notifier
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import StateStore


class Ports(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def store(self) -> StateStore: ...

    @property
    def artifacts(self) -> ArtifactStore: ...

    @property
    def provisioning(self) -> ProvisioningPort | None:
        """The provisioning API in api mode; None in assisted mode (the admin works in TAC)."""
        ...

    @property
    def registrar(self) -> ProvisioningPort:
        """The port a pass changes Teams through: the provisioning API, or in assisted mode the upload
        files and mails that ask the admin to act."""
        ...

    @property
    def bulk_signin(self) -> BulkSignInPort | None: ...

    @property
    def notifier(self) -> Notifier: ...

    @property
    def directory(self) -> DirectorySession: ...

    @property
    def inventory(self) -> Inventory:
        """Assisted mode's inventory sources (service/ports/inventory.py), as the settings enable them."""
        ...

    def policy_settings(self) -> PolicySettingsSource | None:
        """Where calling-policy settings are read, or None when only the catalogue setting is known."""
        ...

    @property
    def config_snapshots(self) -> ConfigurationSnapshots | None:
        """Tenant configuration management snapshot jobs (Graph); None where none is wired."""
        ...

    @property
    def fingerprint_key(self) -> bytes:
        """The HMAC key code fingerprints are made with, kept outside the state store."""
        ...

    def traffic(self) -> tuple[int, int]:
        """(requests, throttled) this process sent so far, each request inside a $batch counted."""
        ...

    def close(self) -> None: ...
