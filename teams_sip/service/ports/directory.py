"""What the eligibility pre-flight and the policy fix need from the directory (Microsoft Graph).

The port speaks in domain facts, not Graph JSON, so the service and its tests do not care how the
adapter gathers them ($batch, `in (...)` filters, whole-tenant listings): that is the adapter's
efficiency problem, and its request counts are reported through `usage()`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, TypeVar

from teams_sip.domain.eligibility import CallingPolicySettings, UserFacts


@dataclass(frozen=True)
class Usage:
    """Graph traffic of a run. `budget_requests` counts what throttling counts: every plain request
    and every request inside a $batch one by one (the $batch envelope included)."""

    http_requests: int
    batch_inner_requests: int
    throttled: int
    retries: int

    @property
    def budget_requests(self) -> int:
        return self.http_requests + self.batch_inner_requests


@dataclass(frozen=True)
class Assignment:
    user_id: str
    policy_type: str
    policy_id: str


@dataclass(frozen=True)
class AssignmentResult:
    user_id: str
    ok: bool
    error: str = ""  # admin-readable cause when not ok


class Directory(Protocol):
    async def read_users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        """Facts for each UPN, keyed by the UPN case-folded; every UPN asked for gets an entry
        (NOT_FOUND / FORBIDDEN / FAILED when it could not be read). Raises TeamsSipError only
        when the run as a whole cannot go on (no permission at all, Graph unreachable)."""
        ...

    async def policy_id(self, policy_type: str, name: str) -> str | None:
        """The id of a named policy, or None when the tenant has no such policy."""
        ...

    async def assign(self, assignments: Sequence[Assignment]) -> list[AssignmentResult]:
        """Assign policies; one result per assignment, in order. Never resends an assignment
        whose answer may have been lost (the caller's ledger decides about re-runs)."""
        ...

    def usage(self) -> Usage: ...


class PolicySettingsSource(Protocol):
    def calling_policies(self) -> list[CallingPolicySettings]:
        """Settings of every calling policy in the tenant; raises TeamsSipError when unavailable."""
        ...


_T = TypeVar("_T")


class DirectoryReads(Protocol):
    """The directory for one pre-flight (or one pass): what it reads, and how, is the adapter's choice."""

    def directory(self) -> Directory:
        """The directory to ask; the same object for every call within these reads."""
        ...

    def skip(self) -> None:
        """Nobody is asked this time: whatever the adapter began reading ahead is stopped."""
        ...

    def run(self, work: Awaitable[_T]) -> _T:
        """Run a coroutine of the directory (the use cases are synchronous; the directory is not)."""
        ...


class DirectorySession(Protocol):
    """The process's way into the directory. The adapter is told when a pass starts and when an
    import named many users, and decides on its own what to read ahead (adapters/graph/ahead.py)."""

    def reads(self, *, pass_starting: bool = False) -> AbstractContextManager[DirectoryReads]:
        """Reads for one pre-flight; `pass_starting`: a reconciliation pass begins now, so the adapter
        may begin what it expects the pass to read (stopped on exit if nobody took it)."""
        ...

    def roster_imported(self, users: int) -> None:
        """An import named this many users; the next pass checks them all."""
        ...

    def run(self, work: Awaitable[_T]) -> _T: ...

    def open(self) -> Directory:
        """A directory outside any pre-flight (policy assignments)."""
        ...
