"""What the doctor needs from a tenant: sign in for a service, and GET one path of it.

The adapter behind this port may only read (its HTTP client refuses every other method), so a probe
cannot change the tenant even by mistake. Wiring are named, not addressed: "graph" (v1.0),
"graph_beta" and "policy_admin" (the undocumented Teams admin API); the adapter knows their hosts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

GRAPH = "graph"
GRAPH_BETA = "graph_beta"
POLICY_ADMIN = "policy_admin"


@dataclass(frozen=True)
class SignIn:
    """A token request's outcome: the roles the token carries, or why there is no token (no secret)."""

    ok: bool
    roles: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class Answer:
    """One GET's answer. `status` 0 means no answer at all (`error` says why: transport, sign-in, refused)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: Any = None  # parsed JSON, or the text when it is not JSON
    error: str = ""

    @property
    def json_object(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def items(self) -> list[dict[str, Any]]:
        value = self.json_object.get("value")
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    def error_code(self) -> str:
        """Graph's `error.code` (a fixed word such as Forbidden), never its message (may name a user)."""
        error = self.json_object.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, str) else ""


@dataclass(frozen=True)
class Exchange:
    """What the throttling probe sees of every answer: status and header names (Retry-After's value)."""

    service: str
    status: int
    header_names: tuple[str, ...]
    retry_after: str | None


class DoctorPort(Protocol):
    def sign_in(self, service: str) -> SignIn: ...

    def get(self, service: str, path: str, *, params: Mapping[str, str] | None = None,
            headers: Mapping[str, str] | None = None) -> Answer: ...

    def post(self, service: str, path: str, body: Mapping[str, object]) -> Answer:
        """The one opt-in write (createSnapshot with `--create-snapshot`); the read-only client
        refuses every other POST, and this one too without the flag (status 0, `error` says so)."""
        ...

    def exchanges(self) -> Sequence[Exchange]:
        """Every answer seen so far, retried ones included."""
        ...


@dataclass(frozen=True)
class DoctorOptions:
    """What the admin configured that the probes ask about."""

    policy_name: str = "Global"  # getPolicyId is asked for this calling policy
    roster_upns: tuple[str, ...] = ()  # users to look up; otherwise the tenant's first few
    teamwork_devices: bool = True  # TEAMWORK_DEVICES
    mail_sender: bool = False  # MAIL_SENDER set: Mail.Send is needed
    sample: int = 100  # userConfigurations listing page asked for
    credential: str = "client_secret"  # AUTH_MODE: client_secret, certificate or managed_identity
    listing_order: str = "id"  # LISTING_ORDER of the Graph adapter (the composition root passes it)
    signin_logs: bool = False  # SIGNIN_LOGS: AuditLog.Read.All is needed
    create_snapshot: bool = False  # --create-snapshot: the one probe that creates something (a job)
    snapshot_polls: int = 20  # how often the created job is read before the doctor stops waiting
    snapshot_poll_seconds: float = 15.0
    wait: Callable[[float], None] = time.sleep  # between polls (the simulator's CLI advances its clock)
