"""A probe's finding and the doctor's report, with the one rule that keeps values out of both."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Verdict(Enum):
    CONFIRMED = "confirmed"
    CONTRADICTED = "contradicted"  # the tenant answered otherwise: `instead` says how
    NOT_AVAILABLE = "not available"  # no answer: `why` says (permission, licence, service gone)
    SKIPPED = "skipped"  # not asked (not configured, not built, nothing to look at)


_SCRUB = (
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<id>"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "<address>"),
    (re.compile(r"eyJ[\w-]+\.[\w-]+\.?[\w-]*"), "<token>"),
    (re.compile(r"\+?\d[\d ()-]{6,}\d"), "<number>"),
)


def scrub(text: str) -> str:
    """Free text (an error message) without ids, addresses, tokens or phone numbers: a last guard,
    since probes already report codes and shapes rather than messages."""
    for pattern, mark in _SCRUB:
        text = pattern.sub(mark, text)
    return text[:300]


@dataclass(frozen=True)
class Finding:
    probe: str  # e.g. "userConfigurations.orderby"
    assumption: str  # what teams-sip assumes, in one sentence
    verdict: Verdict
    reading: str = ""  # a short word for what was seen ("kept", "refused", "retired"): stable, machine-read
    instead: str = ""  # contradicted: what was seen instead
    why: str = ""  # not available / skipped: why
    remedy: str = ""  # what to do when not confirmed
    evidence: dict[str, Any] = field(default_factory=dict)  # shapes and counts only

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"probe": self.probe, "verdict": self.verdict.value, "assumption": self.assumption}
        for key in ("reading", "instead", "why", "remedy"):
            if value := getattr(self, key):
                body[key] = scrub(value) if key in ("instead", "why") else value
        if self.evidence:
            body["evidence"] = self.evidence
        return body


def confirmed(probe: str, assumption: str, reading: str = "", **evidence: Any) -> Finding:
    return Finding(probe, assumption, Verdict.CONFIRMED, reading, evidence=evidence)


def contradicted(probe: str, assumption: str, reading: str, instead: str, remedy: str, **evidence: Any) -> Finding:
    return Finding(probe, assumption, Verdict.CONTRADICTED, reading, instead=instead, remedy=remedy, evidence=evidence)


def not_available(probe: str, assumption: str, reading: str, why: str, remedy: str, **evidence: Any) -> Finding:
    return Finding(probe, assumption, Verdict.NOT_AVAILABLE, reading, why=why, remedy=remedy, evidence=evidence)


def skipped(probe: str, assumption: str, why: str, reading: str = "", **evidence: Any) -> Finding:
    return Finding(probe, assumption, Verdict.SKIPPED, reading, why=why, evidence=evidence)


@dataclass(frozen=True)
class DoctorReport:
    findings: tuple[Finding, ...]
    requests: int
    seconds: float

    @property
    def counts(self) -> dict[str, int]:
        seen = Counter(f.verdict.value for f in self.findings)
        return {v.value: seen.get(v.value, 0) for v in Verdict}

    @property
    def healthy(self) -> bool:
        return not any(f.verdict in (Verdict.CONTRADICTED, Verdict.NOT_AVAILABLE) for f in self.findings)

    def finding(self, probe: str) -> Finding:
        return next(f for f in self.findings if f.probe == probe)

    def as_json(self) -> dict[str, Any]:
        return {
            "doctor": 1,
            "summary": {"verdicts": self.counts, "requests": self.requests, "seconds": round(self.seconds, 2)},
            "findings": [f.as_json() for f in self.findings],
        }
