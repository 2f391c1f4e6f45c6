"""The Directory port (and its session) in memory: users as domain facts, named calling policies,
and the assignments made."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TypeVar

from teams_sip.domain.eligibility import Licences, Lookup, PlanStatus, UserFacts
from teams_sip.domain.eligibility.facts import PhoneNumber, PolicyAssignment, TeamsConfig
from teams_sip.domain.eligibility.plans import SERVICE_PLANS
from teams_sip.service.ports.directory import Assignment, AssignmentResult, Directory, Usage

_T = TypeVar("_T")
SIP_POLICY = "SIPDevices"


def eligible_user(upn: str, user_id: str, *, policy: str = SIP_POLICY) -> UserFacts:
    """A personal user with Teams, Teams Phone, a Calling Plan, a primary number and `policy`."""
    plans = {SERVICE_PLANS[name]: PlanStatus.ENABLED for name in ("TEAMS1", "MCOEV", "MCOPSTN1", "MCOSTANDARD")}
    teams = TeamsConfig("user", True, (PhoneNumber("+33100000000", "primary"),),
                        (PolicyAssignment("TeamsCallingPolicy", policy, f"id-{policy}", "direct"),), ("Teams",))
    return UserFacts(upn, Lookup.FOUND, user_id=user_id, account_enabled=True, user_type="Member",
                     licences=Licences(frozenset(), plans), teams=teams)


class MemoryDirectory:
    def __init__(self, users: Iterable[UserFacts] = (), policies: Mapping[str, str] | None = None) -> None:
        self.users = {u.upn.casefold(): u for u in users}
        self.policies = {k.casefold(): v for k, v in (policies or {SIP_POLICY: f"id-{SIP_POLICY}"}).items()}
        self.assigned: list[Assignment] = []
        self.asked: list[str] = []  # every UPN read_users was asked for
        self._lock = threading.Lock()

    async def read_users(self, upns: Sequence[str]) -> dict[str, UserFacts]:
        with self._lock:
            self.asked.extend(upns)
        return {u.casefold(): self.users.get(u.casefold()) or UserFacts(u, Lookup.NOT_FOUND, "no such user")
                for u in upns}

    async def policy_id(self, policy_type: str, name: str) -> str | None:
        return self.policies.get(name.removeprefix("Tag:").casefold())

    async def assign(self, assignments: Sequence[Assignment]) -> list[AssignmentResult]:
        ids = {u.user_id for u in self.users.values()}
        known = set(self.policies.values())
        out = []
        for a in assignments:
            ok = a.user_id in ids and a.policy_id in known
            if ok:
                with self._lock:
                    self.assigned.append(a)
            out.append(AssignmentResult(a.user_id, ok, "" if ok else "no such user or policy"))
        return out

    def usage(self) -> Usage:
        return Usage(http_requests=0, batch_inner_requests=0, throttled=0, retries=0)


class MemoryReads:
    def __init__(self, directory: MemoryDirectory) -> None:
        self._directory = directory
        self.skipped = False

    def directory(self) -> Directory:
        return self._directory

    def skip(self) -> None:
        self.skipped = True

    def run(self, work: Awaitable[_T]) -> _T:
        async def wrapper() -> _T:
            return await work

        return asyncio.run(wrapper())


class MemoryDirectorySession:
    """DirectorySession over a MemoryDirectory; counts passes started and users imported."""

    def __init__(self, directory: MemoryDirectory | None = None) -> None:
        self.memory = directory or MemoryDirectory()
        self.passes_started = 0
        self.imported: list[int] = []

    @contextmanager
    def reads(self, *, pass_starting: bool = False) -> Iterator[MemoryReads]:
        self.passes_started += pass_starting
        yield MemoryReads(self.memory)

    def roster_imported(self, users: int) -> None:
        self.imported.append(users)

    def run(self, work: Awaitable[_T]) -> _T:
        return MemoryReads(self.memory).run(work)

    def open(self) -> Directory:
        return self.memory
