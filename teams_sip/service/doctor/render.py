"""The doctor's report for people: a terminal summary and a markdown file to attach to a support
request. Both are built from the JSON form only, so neither can show more than it does."""

from __future__ import annotations

import json
from typing import Any

from teams_sip.service.doctor.findings import DoctorReport

_MARK = {"confirmed": "ok", "contradicted": "CONTRADICTED", "not available": "NOT AVAILABLE", "skipped": "skipped"}


def _detail(f: dict[str, Any]) -> str:
    return str(f.get("instead") or f.get("why") or f.get("reading") or "")


def render_text(report: DoctorReport) -> str:
    data = report.as_json()
    lines = [f"teams-sip doctor: {len(data['findings'])} probes, {data['summary']['requests']} requests, "
             f"{data['summary']['seconds']} s"]
    for f in data["findings"]:
        lines.append(f"  {_MARK[f['verdict']]:<13} {f['probe']:<40} {_detail(f)}")
        if f.get("remedy"):
            lines.append(f"  {'':<13} {'':<40} -> {f['remedy']}")
    counts = ", ".join(f"{n} {v}" for v, n in data["summary"]["verdicts"].items())
    return "\n".join([*lines, "", counts])


def render_markdown(report: DoctorReport) -> str:
    data = report.as_json()
    summary = data["summary"]
    counts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items())
    lines = ["# teams-sip doctor report", "",
             "Shapes and counts only: no names, addresses, ids, numbers or tokens.", "",
             f"{counts}; {summary['requests']} requests in {summary['seconds']} s.", "",
             "| probe | verdict | seen | remedy |", "|---|---|---|---|"]
    for f in data["findings"]:
        cells = [f["probe"], f["verdict"], _detail(f), f.get("remedy", "")]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## Evidence", ""]
    for f in data["findings"]:
        if f.get("evidence"):
            lines += [f"### {f['probe']}", "", f"Assumption: {f['assumption']}", "", "```json",
                      json.dumps(f["evidence"], indent=2, sort_keys=True), "```", ""]
    return "\n".join(lines)
