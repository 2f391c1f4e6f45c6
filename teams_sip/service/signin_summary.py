"""What one sign-in pass (or one ingested result file) did, in the words the run report prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NeedsPerson:
    hardware_id: str
    upn: str
    reason: str  # what happened and what to do, for a Teams admin


@dataclass
class SignInSummary:
    notices: Counter[str] = field(default_factory=Counter)  # first / reminder / escalation
    notice_failures: list[str] = field(default_factory=list)
    batches_written: int = 0
    batches_submitted: int = 0
    batches_completed: int = 0
    batches_in_flight: int = 0
    deferred: int = 0  # inside the window, waiting for a free batch slot in their region
    outcomes: Counter[str] = field(default_factory=Counter)  # errors.Outcome values
    needs_person: list[NeedsPerson] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # where each new batch's files went

    def lines(self) -> list[str]:
        sent = ", ".join(f"{n} {kind}" for kind, n in sorted(self.notices.items())) or "none"
        out = [
            f"Sign-in notices sent: {sent}.",
            f"Bulk sign-in batches: {self.batches_written} written, {self.batches_submitted} submitted, "
            f"{self.batches_completed} completed, {self.batches_in_flight} in flight; {self.deferred} device(s) "
            "wait for a free batch slot.",
        ]
        if self.outcomes:
            out.append("Bulk sign-in results: " + ", ".join(f"{n} {o}" for o, n in sorted(self.outcomes.items())) + ".")
        out += [f"Written: {path}" for path in self.written]
        out += [f"Needs a person: {p.hardware_id} ({p.upn or 'no account'}): {p.reason}" for p in self.needs_person]
        out += [f"Notice not sent: {f}" for f in self.notice_failures]
        out += [f"Problem: {e}" for e in self.errors]
        return out
