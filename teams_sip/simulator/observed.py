"""A doctor report turned into scenario switches: what a real tenant answered becomes a simulated
tenant that answers the same, so the behaviour it showed can be a test within minutes.

Only findings this table knows are applied (by probe and reading, the report's stable words);
everything else contradicted is returned as a note, so nothing is silently dropped.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from teams_sip.errors import InputError
from teams_sip.simulator import invented
from teams_sip.simulator.catalog import GRAPH_RESOURCE, RESOURCE_ROLES
from teams_sip.simulator.scenario import Scenario

SWITCHES: dict[tuple[str, str], dict[str, Any]] = {
    ("userConfigurations.defaultPolicyListed", "not-listed"): {"default_policies_listed": False},
    ("userConfigurations.defaultPolicyListed", "listed"): {"default_policies_listed": True},
    ("userConfigurations.voiceFlag", "always-false"): {"voice_flag_without_calling_plan": False},
    ("userConfigurations.voiceFlag", "own-flag"): {"voice_flag_without_calling_plan": True},
    ("userConfigurations.orderby", "refused"): {"listing_orderby": "refused"},
    ("userConfigurations.orderby", "ignored"): {"listing_orderby": "ignored"},
    ("userConfigurations.orderby", "kept"): {"listing_orderby": "kept"},
    ("teamwork.answers", "retired"): {"teamwork": {"listing": "retired"}},
    ("teamwork.answers", "gone"): {"teamwork": {"listing": "gone"}},
    ("teamwork.answers", "failing"): {"teamwork": {"listing": "failing"}},
    ("teamwork.answers", "empty"): {"teamwork": {"listing": "empty"}},
    ("teamwork.linkForm", "absolute"): {"teamwork": {"link_form": "absolute"}},
    ("teamwork.linkForm", "relative"): {"teamwork": {"link_form": "relative"}},
    ("configurationSnapshots.layout", "resources"): {"snapshots": {"layout": "resources"}},
    ("configurationSnapshots.layout", "items"): {"snapshots": {"layout": "items"}},
    ("configurationSnapshots.layout", "job-failed"): {"snapshots": {"outcome": "failed"}},
    ("configurationSnapshots.layout", "no-service-principal"): {"snapshots": {"service_principal": "missing"}},
    ("configurationSnapshots.servicePrincipal", "missing"): {"snapshots": {"service_principal": "missing"}},
    ("configurationSnapshots.role", "no-role"): {"snapshots": {"service_principal": "no_role"}},
    ("signInLogs.access", "no-premium"): {"entra_premium": False},
    ("signInLogs.access", "answered"): {"entra_premium": True},
}
"""(probe, reading) -> the scenario fields (and teamwork settings) that make the simulator answer so."""


def load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read doctor report {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{path} is not a doctor report (not JSON): write one with `teams-sip doctor --json`") \
            from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise InputError(f"{path} is not a doctor report (no findings)")
    return data


def scenario_from_report(report: dict[str, Any], base: Scenario) -> tuple[Scenario, list[str]]:
    """`base` switched to answer as the reported tenant did, and notes on what could not be mapped."""
    fields: dict[str, Any] = {}
    teamwork: dict[str, Any] = {}
    snapshots: dict[str, Any] = {}
    notes: list[str] = []
    roles: list[str] | None = None
    for finding in report["findings"]:
        if not isinstance(finding, dict):
            continue
        probe, reading = str(finding.get("probe", "")), str(finding.get("reading", ""))
        change = SWITCHES.get((probe, reading))
        if change is not None:
            teamwork |= change.get("teamwork", {})
            snapshots |= change.get("snapshots", {})
            fields |= {k: v for k, v in change.items() if k not in ("teamwork", "snapshots")}
        elif probe == "permissions.graph" and isinstance((finding.get("evidence") or {}).get("roles"), list):
            roles = [str(r) for r in finding["evidence"]["roles"]]
        elif probe == "signInLogs.sipGateway" and finding.get("verdict") == "confirmed":
            notes.append(_app_id_note(reading))
        elif finding.get("verdict") == "contradicted":
            notes.append(f"{probe} ({reading}): no scenario switch; write a scenario by hand")
    scenario = replace(base, **fields)
    if teamwork:
        scenario = replace(scenario, teamwork=scenario.teamwork.updated(teamwork))
    if snapshots:
        scenario = replace(scenario, snapshots=replace(scenario.snapshots, **snapshots))
    if roles is not None:
        others = [r for r in base.app.roles if r not in RESOURCE_ROLES[GRAPH_RESOURCE]]
        scenario = replace(scenario, app=replace(base.app, roles=tuple(sorted({*roles, *others}))))
    scenario.validate()
    return scenario, notes


def _app_id_note(reading: str) -> str:
    """The sign-in log's app id has no switch: the simulator logs every handset sign-in under one
    (invented.SIGNIN_LOG_APP_ID), so a tenant's other answer is a note for a person to act on."""
    simulated = invented.SIGNIN_LOG_APP_NAMES[invented.SIGNIN_LOG_APP_ID]
    if reading == simulated:
        return f"signInLogs.sipGateway ({reading}): as the simulator logs them"
    return (f"signInLogs.sipGateway ({reading}): the tenant logs SIP Gateway sign-ins under {reading}; the simulator "
            f"logs them under {simulated} (invented.SIGNIN_LOG_APP_ID) and has no switch: change it by hand")
