"""The composition root: the one place that turns Settings into adapters behind the ports.

The CLI (every command), the Functions app, the local server, the demo and the benchmarks all call
`build_wiring`; nothing else chooses or constructs an adapter. `Wiring` implements the service
layer's `Ports` (service/ports/wiring.py). Graph and provisioning clients are created on first use,
so an HTTP call that only reads the state store never loads msgraph (a cold start imports this
module).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from teams_sip.adapters.http import RequestMetrics
from teams_sip.adapters.throttle import ServiceBudgets
from teams_sip.config import Settings
from teams_sip.domain.clock import Clock, SystemClock
from teams_sip.service.inventory import Inventory
from teams_sip.service.ports.bulk_signin import BulkSignInPort
from teams_sip.service.ports.config_snapshots import ConfigurationSnapshots
from teams_sip.service.ports.directory import DirectorySession, PolicySettingsSource
from teams_sip.service.ports.inventory import InventorySource
from teams_sip.service.ports.notifier import ArtifactStore, Notifier
from teams_sip.service.ports.provisioning import ProvisioningPort
from teams_sip.service.ports.store import StateStore
from teams_sip.tenancy.deployment import Deployment


@dataclass
class Wiring:
    settings: Settings
    clock: Clock
    store: StateStore
    artifacts: ArtifactStore
    metrics: RequestMetrics = field(default_factory=RequestMetrics)  # what went over the wire, all clients
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def _once(self, key: str, make: Any) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    @property
    def tokens(self) -> Any:
        from teams_sip.adapters.auth import build_token_provider

        return self._once("tokens", lambda: build_token_provider(self.settings, self.clock))

    @property
    def graph(self) -> Any:
        """The blocking Graph session (msgraph-sdk client, $batch, paging) for this process."""
        from teams_sip.adapters.graph.blocking import GraphSession

        return self._once("graph", lambda: GraphSession(self.settings, self.tokens, self.metrics))

    @property
    def provisioning(self) -> ProvisioningPort | None:
        """The provisioning API client in api mode; None in assisted mode (the admin uses TAC)."""
        if self.settings.provisioning_mode != "api":
            return None
        from teams_sip.adapters.provisioning.api_client import build_provisioning_client

        client: ProvisioningPort = self._once(
            "provisioning", lambda: build_provisioning_client(self.settings, self.tokens, self.metrics)
        )
        return client

    @property
    def registrar(self) -> ProvisioningPort:
        """The provisioning API in api mode; in assisted mode the TAC upload files and mails."""
        api = self.provisioning
        if api is not None:
            return api
        from teams_sip.adapters.provisioning.assisted import AssistedProvisioning

        return AssistedProvisioning(self.artifacts, self.notifier, self.settings.rollout.admin_contacts,
                                    self.clock.now)

    @property
    def directory(self) -> DirectorySession:
        """The Directory port's session: Graph, reading ahead when a pass starts (adapters/graph/ahead.py)."""
        from teams_sip.adapters.graph.ahead import GraphDirectorySession

        session: DirectorySession = self._once("directory", lambda: GraphDirectorySession(lambda: self.graph,
                                                                                          self.store))
        return session

    def policy_settings(self) -> PolicySettingsSource | None:
        """The Teams admin API's calling-policy settings when POLICY_ADMIN_BASE_URL is set; else None
        (the catalogue, COMPLIANT_CALLING_POLICIES, alone): the same rule for passes and `check`."""
        if not self.settings.policy_admin_base_url:
            return None
        from teams_sip.adapters.policy_settings import TeamsAdminPolicySettings

        source: PolicySettingsSource = self._once("policy_settings",
                                                  lambda: TeamsAdminPolicySettings(self.settings, self.tokens))
        return source

    def traffic(self) -> tuple[int, int]:
        m = self.metrics
        return m.requests + m.batch_inner_requests, m.throttled + m.inner_throttled

    @property
    def bulk_signin(self) -> BulkSignInPort | None:
        """Bulk sign-in through the (unverified) service API in api mode; None in assisted mode, where
        the admin runs the PowerShell script teams-sip writes for each batch."""
        if self.settings.provisioning_mode != "api":
            return None
        from teams_sip.adapters.signin.api_client import build_bulk_signin_client

        client: BulkSignInPort = self._once("bulk_signin", lambda: build_bulk_signin_client(
            self.settings, self.tokens, self.settings.bulk_signin_base_url, self.metrics))
        return client

    @property
    def inventory(self) -> Inventory:
        """Assisted mode's inventory sources behind the observation port, each as the settings allow."""

        def make() -> Inventory:
            from teams_sip.service.inventory_inbox import BulkResultsSource, InboxSource

            rollout = self.settings.rollout
            sources: list[InventorySource] = []
            if rollout.teamwork_devices:
                from teams_sip.adapters.graph.teamwork_source import TeamworkDevicesSource

                sources.append(TeamworkDevicesSource(self.graph))
            if rollout.signin_logs:
                from teams_sip.adapters.graph.signin_logs import SignInLogSource

                sources.append(SignInLogSource(self.graph, self.store))
            sources += [BulkResultsSource(self.store), InboxSource(self.store)]
            return Inventory(sources, self.store)

        result: Inventory = self._once("inventory", make)
        return result

    @property
    def fingerprint_key(self) -> bytes:
        """The HMAC key of code fingerprints, kept outside the state store (adapters/fingerprint_key.py)."""
        from teams_sip.adapters.fingerprint_key import load_fingerprint_key

        key: bytes = self._once("fingerprint_key", lambda: load_fingerprint_key(self.settings))
        return key

    @property
    def notifier(self) -> Notifier:
        def make() -> Notifier:
            sender = self.settings.rollout.mail_sender
            if sender:
                from teams_sip.adapters.notify.graph_mail import GraphMailNotifier

                return GraphMailNotifier(self.graph, sender)
            from teams_sip.adapters.notify.folder import FolderNotifier

            return FolderNotifier(self.artifacts)

        result: Notifier = self._once("notifier", make)
        return result

    @property
    def config_snapshots(self) -> ConfigurationSnapshots:
        """Tenant configuration management snapshot jobs over Graph v1.0 (the documented source of
        calling and IP phone policy settings, trusted IPs and Conditional Access)."""
        from teams_sip.adapters.graph.config_snapshots import GraphConfigurationSnapshots

        client: ConfigurationSnapshots = self._once("config_snapshots", lambda: GraphConfigurationSnapshots(
            self.settings, self.tokens, self.metrics))
        return client

    def close(self) -> None:
        with self._lock:
            for key in ("policy_settings", "graph", "provisioning", "bulk_signin", "config_snapshots"):
                closer = getattr(self._cache.pop(key, None), "close", None)
                if callable(closer):
                    closer()


def build_artifacts(settings: Settings) -> ArtifactStore:
    rollout = settings.rollout
    if rollout.blobs_endpoint:
        from teams_sip.adapters.notify.blob import BlobArtifactStore

        credential = None
        if "127.0.0.1" not in rollout.blobs_endpoint and "localhost" not in rollout.blobs_endpoint:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        return BlobArtifactStore.from_settings(container=rollout.artifacts_container,
                                               account_url=rollout.blobs_endpoint, credential=credential)
    from teams_sip.adapters.notify.folder import FolderArtifactStore

    return FolderArtifactStore(rollout.output_dir)


def build_wiring(settings: Settings, *, clock: Clock | None = None, store: StateStore | None = None,
                 in_memory: bool = False, artifacts: ArtifactStore | None = None,
                 metrics: RequestMetrics | None = None) -> Wiring:
    """`in_memory`: a state store that lives as long as the process (a run against a simulated tenant).
    Settings of a partner's tenant (`tenant_name`) always get that tenant's view of the store and the
    artefacts, whoever passes them in: no wiring for a tenant can reach another's records or files."""
    if store is None and in_memory:
        from teams_sip.adapters.store.memory import MemoryStateStore

        store = MemoryStateStore()
    if store is None:
        from teams_sip.adapters.store.factory import open_state_store

        store = open_state_store(settings)
    artifacts = artifacts or build_artifacts(settings)
    if settings.tenant_name:
        from teams_sip.adapters.notify.tenant_scope import TenantScopedArtifacts
        from teams_sip.adapters.store.tenant_scope import TenantScopedStore

        store = TenantScopedStore(store, settings.tenant_name)
        artifacts = TenantScopedArtifacts(artifacts, settings.tenant_name)
    return Wiring(settings=settings, clock=clock or SystemClock(), store=store, artifacts=artifacts,
                  metrics=metrics or RequestMetrics())


class Fleet:
    """A partner's deployment: one Wiring per customer tenant, built on first use, over one shared
    state store and artefact store (each tenant sees only its own part) and one app-wide throttle
    bucket (Graph's global limit counts the app across tenants; every other bucket is per tenant)."""

    def __init__(self, deployment: Deployment, *, clock: Clock, store: StateStore, artifacts: ArtifactStore) -> None:
        self.deployment = deployment
        self.clock = clock
        self._store, self._artifacts = store, artifacts
        self.app_wide = ServiceBudgets()
        self._lock = threading.Lock()
        self._wirings: dict[str, Wiring] = {}

    @property
    def names(self) -> list[str]:
        return self.deployment.names

    def wiring(self, name: str | None) -> Wiring:
        """The named tenant's wiring (UnknownTenantError for a name the deployment does not serve)."""
        settings = self.deployment.settings_for(name)
        key = settings.tenant_name or ""
        with self._lock:
            found = self._wirings.get(key)
            if found is None:
                found = self._wirings[key] = build_wiring(
                    settings, clock=self.clock, store=self._store, artifacts=self._artifacts,
                    metrics=RequestMetrics(budgets=ServiceBudgets(app_wide=self.app_wide)))
            return found

    def close(self) -> None:
        with self._lock:
            wirings, self._wirings = list(self._wirings.values()), {}
        for wiring in wirings:
            wiring.close()


def build_fleet(deployment: Deployment, *, clock: Clock | None = None, store: StateStore | None = None,
                in_memory: bool = False) -> Fleet:
    """Every tenant of the deployment (a single-tenant deployment is a fleet of one, unnamed)."""
    base = deployment.base
    if store is None and in_memory:
        from teams_sip.adapters.store.memory import MemoryStateStore

        store = MemoryStateStore()
    if store is None:
        from teams_sip.adapters.store.factory import open_state_store

        store = open_state_store(base)
    return Fleet(deployment, clock=clock or SystemClock(), store=store, artifacts=build_artifacts(base))


def build_doctor(settings: Settings, *, clock: Clock | None = None, roster_upns: tuple[str, ...] = (),
                 policy: str | None = None, create_snapshot: bool = False,
                 wait: Callable[[float], None] | None = None) -> tuple[Any, Any]:
    """The doctor's read-only tenant (a DoctorPort; close it after) and the options taken from the
    settings: the policy getPolicyId is asked for, TEAMWORK_DEVICES, MAIL_SENDER, LISTING_ORDER,
    SIGNIN_LOGS. Only `create_snapshot` lets the read-only client send one kind of POST: createSnapshot."""
    from teams_sip.adapters.auth import build_token_provider
    from teams_sip.adapters.doctor.tenant import HttpDoctorTenant
    from teams_sip.adapters.graph.config_reads import LISTING_ORDER
    from teams_sip.service.doctor import DoctorOptions
    from teams_sip.service.doctor.snapshots import CREATE_PATH as SNAPSHOT_CREATE_PATH

    rollout = settings.rollout
    options = DoctorOptions(
        policy_name=policy or next(iter(rollout.compliant_calling_policies), "Global"),
        roster_upns=roster_upns,
        teamwork_devices=rollout.teamwork_devices,
        mail_sender=bool(rollout.mail_sender),
        credential=settings.auth_mode,
        listing_order=LISTING_ORDER,
        signin_logs=rollout.signin_logs,
        create_snapshot=create_snapshot,
    )
    options = replace(options, wait=wait) if wait is not None else options
    allow = [("POST", SNAPSHOT_CREATE_PATH)] if create_snapshot else []
    return HttpDoctorTenant(settings, build_token_provider(settings, clock), allow=allow), options
