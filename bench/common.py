"""Helpers the end-to-end benchmarks share: peak memory, timing, request counting on the simulator,
a generated rollout (handsets, sites, users) and printing figures against targets.

Benchmarks print figures and exit 0 when every target is met, 1 otherwise (naming the misses);
`make bench` runs them, CI does not.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Time zones of the generated sites: European, so one pass late in the UTC morning finds every
# site's install window open (07:00 local) on the same simulated day.
ZONES = ("Europe/Berlin", "Europe/Paris", "Europe/London", "Europe/Stockholm", "Europe/Madrid")
ELIGIBLE_CASES = frozenset({"eligible", "eligible_direct_routing", "eligible_operator_connect", "common_area"})


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Stopwatch:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started


def budget_used(sim: Any) -> int:
    """Requests the simulator's throttle counted: plain requests plus each inner $batch request,
    not the $batch envelopes (token requests are counted apart by the simulator)."""
    stats = sim.stats()
    envelopes: int = sum(n for name, n in stats["requests"].items() if name.endswith("/$batch"))
    return int(stats["totalRequests"]) - envelopes


def requests_by_endpoint(sim: Any) -> dict[str, int]:
    return {name: int(n) for name, n in sorted(sim.stats()["requests"].items())}


@dataclass(frozen=True)
class Handset:
    ipei: str  # 10 hex digits, as the roster spreadsheet carries it
    upn: str
    display_name: str
    site: str
    install_date: date
    account_type: str  # personal | common-area
    case: str  # the simulator's reason for this user (tells who should be eligible)

    @property
    def hardware_id(self) -> str:
        return "00" + self.ipei


def site_name(n: int) -> str:
    return f"Site {n:02d}"


def make_handsets(users: Sequence[Any], *, sites: int, days: int, first_day: date) -> list[Handset]:
    """One handset per simulated user, spread round-robin over `sites` sites and `days` install days."""
    out = []
    for i, user in enumerate(users):
        ipei = f"0{0x0100 + i // 0x100000:04X}{i % 0x100000:05X}"
        account = "common-area" if user.case.startswith("common") else "personal"
        out.append(Handset(ipei, user.upn, user.display_name, site_name(i % sites),
                           first_day + timedelta(days=(i // sites) % days), account, user.case))
    return out


def roster_csv(handsets: Sequence[Handset]) -> bytes:
    lines = ["IPEI,UPN,Display name,Site,Install date,Account type"]
    lines += [f"{h.ipei},{h.upn},{h.display_name},{h.site},{h.install_date.isoformat()},{h.account_type}"
              for h in handsets]
    return ("\n".join(lines) + "\n").encode()


def write_sites(path: Path, sites: int) -> Path:
    lines = ["name,region,time zone,contacts,bulk sign-in"]
    lines += [f"{site_name(n)},EMEA,{ZONES[n % len(ZONES)]},it-site{n:02d}@contoso.example,no" for n in range(sites)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Report:
    """Figures and targets; `finish` prints the verdict and answers the exit code."""

    title: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def figure(self, label: str, value: str) -> None:
        print(f"  {label:<34} {value}")

    def target(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))

    def finish(self) -> int:
        print(f"{self.title}: targets")
        for name, ok, detail in self.checks:
            print(f"  [{'met' if ok else 'MISSED'}] {name}: {detail}")
        missed = [name for name, ok, _ in self.checks if not ok]
        if missed:
            print(f"MISSED targets: {', '.join(missed)}")
            return 1
        print("all targets met")
        return 0
