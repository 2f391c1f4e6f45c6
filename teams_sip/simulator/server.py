"""SimulatedTenant: starts the simulated tenant on a free loopback port over HTTPS (uvicorn in a
background thread) and offers the in-process API tests and the demo use."""

from __future__ import annotations

import shutil
import signal
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from teams_sip.domain.clock import ManualClock
from teams_sip.simulator import invented
from teams_sip.simulator.app import build_app
from teams_sip.simulator.backend import Backend
from teams_sip.simulator.bulk_signin import bulk_signins
from teams_sip.simulator.faults import FaultInjector
from teams_sip.simulator.identity import Identity
from teams_sip.simulator.scenario import Scenario
from teams_sip.simulator.tls import make_tls_files
from teams_sip.simulator.world import SentMail, World

_START_TIMEOUT_S = 15.0


class SimulatedTenant:
    """A running simulated tenant. Use `SimulatedTenant.start(...)` as a context manager."""

    def __init__(
        self, scenario: Scenario, clock: ManualClock | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        scenario.validate()
        self.scenario = scenario
        self.clock = clock or ManualClock(scenario.start)
        self._dir = Path(tempfile.mkdtemp(prefix="teams-sip-sim-"))
        self._tls = make_tls_files(self._dir, hosts=(host, "localhost") if host != "localhost" else ("localhost",))
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only then, and without
        # it every answer waits ~40 ms for Nagle plus delayed ACK.
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"https://{shown}:{self.port}"
        self.world = World(scenario, self.clock)
        self.faults = FaultInjector(scenario.faults, scenario.seed, tenant=scenario.tenant_id,
                                    tenant_users=len(scenario.users))
        self.identity = Identity(scenario.tenant_id, scenario.app, self._tls.app_public_pem, self.clock, self.base_url)
        self.backend = Backend(self.world, self.identity, self.faults, self.base_url)
        config = uvicorn.Config(
            build_app(self.backend),
            ssl_certfile=str(self._tls.server_cert),
            ssl_keyfile=str(self._tls.server_key),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    # --- life cycle ---------------------------------------------------------------------------
    @classmethod
    @contextmanager
    def start(
        cls, scenario: Scenario, clock: ManualClock | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> Iterator[SimulatedTenant]:
        sim = cls(scenario, clock=clock, host=host, port=port)
        sim.run_in_background()
        try:
            yield sim
        finally:
            sim.stop()

    def run_in_background(self) -> None:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="teams-sip-simulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulated tenant did not start")
            time.sleep(0.01)

    def serve_forever(self) -> None:
        """Serves until Ctrl+C or SIGTERM (the `teams-sip simulator` command), then cleans up.

        uvicorn runs in a thread so that it does not take over the signals: in the main thread it
        re-raises SIGTERM after shutdown, which would kill the process before the temp files go."""
        stopped = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            self.run_in_background()
            while not stopped.is_set() and self._thread is not None and self._thread.is_alive():
                stopped.wait(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop()

    def stop(self) -> None:
        """Stops at once: open keep-alive connections are dropped, not waited for."""
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._cleanup()

    def _cleanup(self) -> None:
        self._sock.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> SimulatedTenant:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # --- connection facts ---------------------------------------------------------------------
    @property
    def ca_bundle(self) -> str:
        return str(self._tls.ca_bundle)

    def ssl_context(self) -> ssl.SSLContext:
        """A client TLS context trusting only the simulator's CA (for httpx `verify=`)."""
        return ssl.create_default_context(cafile=self.ca_bundle)

    @property
    def tenant_id(self) -> str:
        return self.scenario.tenant_id

    @property
    def client_id(self) -> str:
        return self.scenario.app.client_id

    @property
    def client_secret(self) -> str:
        return self.scenario.app.client_secret

    @property
    def cert_pem_path(self) -> str:
        return str(self._tls.app_cert)

    @property
    def key_pem_path(self) -> str:
        return str(self._tls.app_key)

    @property
    def cert_thumbprint(self) -> str:
        return self._tls.app_thumbprint

    @property
    def authority(self) -> str:
        return f"{self.base_url}/{self.tenant_id}"

    @property
    def graph_url(self) -> str:
        return f"{self.base_url}/v1.0"

    @property
    def graph_beta_url(self) -> str:
        return f"{self.base_url}/beta"

    @property
    def provisioning_url(self) -> str:
        """Base the contract paths of unverified.CONTRACT_ENDPOINTS are appended to."""
        return self.base_url

    @property
    def policy_admin_url(self) -> str:
        """Base that unverified.POLICY_ADMIN_PATH is appended to."""
        return f"{self.base_url}{invented.POLICY_ADMIN_PREFIX}"

    @property
    def bulk_signin_url(self) -> str:
        """Base the paths of unverified.BULK_SIGNIN_CONTRACT_ENDPOINTS are appended to."""
        return self.base_url

    # --- bulk sign-in knobs (issue 7) ---------------------------------------------------------
    def set_bulk_signin(
        self,
        *,
        delay: timedelta | None = None,
        tenant_ip_trusted: bool | None = None,
        untrusted_locations: set[str] | None = None,
        status_hardware_ids: bool | None = None,
    ) -> None:
        """How long batches take on the simulated clock, which public IPs count as trusted, and whether
        status items carry HardwareId."""
        with self.world.lock:
            state = bulk_signins(self.world)
            state.delay = state.delay if delay is None else delay
            state.tenant_ip_trusted = state.tenant_ip_trusted if tenant_ip_trusted is None else tenant_ip_trusted
            if untrusted_locations is not None:
                state.untrusted_locations = set(untrusted_locations)
            if status_hardware_ids is not None:
                state.status_hardware_ids = status_hardware_ids

    def set_bulk_tag(self, hardware_id: str, tagged: bool) -> None:
        """False: the handset was provisioned without /tenantid/<guid> ("BulkSignIn Tag missing")."""
        with self.world.lock:
            untagged = bulk_signins(self.world).untagged
            (untagged.discard if tagged else untagged.add)(hardware_id.replace("-", "").upper())

    def bulk_batches(self) -> list[dict[str, Any]]:
        """Every bulk sign-in batch as the status endpoint shows it (completing those now due)."""
        with self.world.lock:
            state = bulk_signins(self.world)
            state.settle(self.world)
            return [b.as_json() for b in state.batches.values()]

    # --- device-side actions and knobs ---------------------------------------------------------
    def dial_code(self, hardware_id: str, code: str) -> None:
        """The technician dials *55*<code>; raises DeviceActionError when the device refuses."""
        with self.world.lock:
            self.world.devices.dial(hardware_id, code, self.world.tick())

    def sign_in(self, hardware_id: str, upn: str) -> None:
        self.world.sign_in(hardware_id, upn)

    def sign_out(self, hardware_id: str) -> None:
        with self.world.lock:
            self.world.devices.sign_out(hardware_id, self.world.tick())

    def take_offline(self, hardware_id: str) -> None:
        with self.world.lock:
            self.world.devices.set_online(hardware_id, False, self.world.tick())

    def bring_online(self, hardware_id: str) -> None:
        with self.world.lock:
            self.world.devices.set_online(hardware_id, True, self.world.tick())

    def set_teamwork(self, **changes: Any) -> None:
        """How teamwork/devices answers from now on (simulator/teamwork.py): listing="retired" retires
        it mid-scenario, enum_case="pascal", mac_prefix="LAN:", ..."""
        with self.world.lock:
            self.world.teamwork = self.world.teamwork.updated(changes)

    def set_entra_premium(self, premium: bool) -> None:
        """False: the tenant loses Entra ID P1/P2, and the sign-in logs answer 403 from now on."""
        with self.world.lock:
            self.world.entra_premium = premium

    def tac_export(self) -> bytes:
        """The SIP device list as the Teams admin center's Export button might give it (tac_export.py)."""
        from teams_sip.simulator.tac_export import tac_export_csv

        return tac_export_csv(self.world)

    def set_faults(self, **changes: Any) -> None:
        self.faults.configure(changes)

    def set_app_roles(self, roles: list[str]) -> None:
        """Grants the app exactly these roles from now on (for permission tests)."""
        self.identity.set_roles(roles)

    def stats(self) -> dict[str, Any]:
        return self.faults.stats()

    def reset_stats(self) -> None:
        self.faults.reset_stats()

    def prefer_received(self) -> dict[str, dict[str, int]]:
        """Per route (named as in `stats()`, inner `$batch` requests included): how many requests came
        with each `Prefer` header value ("" = none). Not cleared by `reset_stats`."""
        return self.backend.received.prefer()

    @property
    def outbox(self) -> list[SentMail]:
        with self.world.lock:
            return list(self.world.outbox)
