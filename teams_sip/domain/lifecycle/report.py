"""The run report: where every handset stands, what this pass changed, and what needs a person.

Built from the records before and after a pass, so it reports what actually happened (including
the executor's settled outcomes), not only what was planned. Rendered as plain text for the CLI
and as a JSON-safe dict for the HTTP API and the output folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from teams_sip.domain.lifecycle.actions import Action
from teams_sip.domain.lifecycle.notices import notice_text
from teams_sip.domain.lifecycle.records import Attention, DeviceRecord
from teams_sip.domain.lifecycle.states import DeviceState

NO_SITE = "(no site)"


@dataclass(frozen=True)
class Change:
    hardware_id: str
    site: str
    at: datetime
    from_state: DeviceState | None
    to_state: DeviceState
    cause: str


@dataclass(frozen=True)
class NeedsPerson:
    hardware_id: str
    site: str
    upn: str
    reason: Attention
    message: str


@dataclass(frozen=True)
class RunReport:
    generated_at: datetime
    by_state: dict[str, int]
    by_site: dict[str, dict[str, int]]
    actions: dict[str, int]
    changes: tuple[Change, ...]
    needs_person: tuple[NeedsPerson, ...]
    notes: tuple[str, ...] = ()  # what the pass could not do, said once (e.g. an unreadable inventory)

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "devices": sum(self.by_state.values()),
            "by_state": dict(self.by_state),
            "by_site": {site: dict(counts) for site, counts in self.by_site.items()},
            "actions": dict(self.actions),
            "changes": [
                {
                    "hardware_id": c.hardware_id,
                    "site": c.site,
                    "at": c.at.isoformat(),
                    "from": None if c.from_state is None else c.from_state.value,
                    "to": c.to_state.value,
                    "cause": c.cause,
                }
                for c in self.changes
            ],
            "needs_person": [
                {
                    "hardware_id": n.hardware_id,
                    "site": n.site,
                    "upn": n.upn,
                    "reason": n.reason.value,
                    "message": n.message,
                }
                for n in self.needs_person
            ],
            "notes": list(self.notes),
        }

    def to_text(self) -> str:
        lines = [f"Run at {self.generated_at.isoformat()}: {sum(self.by_state.values())} handsets"]
        lines += [f"Note: {note}" for note in self.notes]
        lines += [f"  {state:<20} {count}" for state, count in self.by_state.items()]
        for site, counts in self.by_site.items():
            lines.append(f"Site {site}: " + ", ".join(f"{state} {count}" for state, count in counts.items()))
        if self.actions:
            lines.append("Actions: " + ", ".join(f"{name} {count}" for name, count in self.actions.items()))
        lines.append(f"Changes ({len(self.changes)}):")
        lines += [
            f"  {c.hardware_id} [{c.site}] {c.from_state or 'new'} -> {c.to_state}: {c.cause}" for c in self.changes
        ]
        lines.append(f"Needs a person ({len(self.needs_person)}):")
        lines += [f"  {n.hardware_id} [{n.site}] {n.reason}: {n.message}" for n in self.needs_person]
        return "\n".join(lines) + "\n"


def build_report(
    before: Mapping[str, DeviceRecord],
    after: Mapping[str, DeviceRecord],
    now: datetime,
    actions: Iterable[Action] = (),
) -> RunReport:
    """`after` holds every record as it stands after the pass; `before` as it stood at the start."""
    counted: Counter[tuple[str, DeviceState]] = Counter()  # one count per (site, state); totals from it below
    changes: list[Change] = []
    needs: list[NeedsPerson] = []
    for hid in sorted(after):
        rec = after[hid]
        site = rec.site or NO_SITE
        counted[(site, rec.state)] += 1
        old = before.get(hid)
        if old is None:
            start = 0
        elif old is rec or old.history is rec.history:  # unchanged: most records of most passes
            start = len(rec.history)
        else:
            start = len(old.history) if rec.history[: len(old.history)] == old.history else 0
        if start < len(rec.history):
            changes += [Change(hid, site, t.at, t.from_state, t.to_state, t.cause) for t in rec.history[start:]]
        if rec.attention is not None:
            needs.append(NeedsPerson(hid, site, rec.upn, rec.attention, notice_text(rec.attention, rec)))
    by_state: Counter[str] = Counter()
    by_site: dict[str, Counter[str]] = {}
    for (site, state), count in counted.items():
        by_state[state.value] += count
        by_site.setdefault(site, Counter())[state.value] += count
    order = [s.value for s in DeviceState]
    return RunReport(
        generated_at=now,
        by_state={s: by_state[s] for s in order if by_state[s]},
        by_site={site: {s: c[s] for s in order if c[s]} for site, c in sorted(by_site.items())},
        actions=dict(sorted(Counter(type(a).__name__ for a in actions).items())),
        changes=tuple(changes),
        needs_person=tuple(needs),
    )
