"""A doctor report (JSON and markdown) holds no value the tenant holds: no UPN, id, display name,
phone number, tenant or client id, secret or token, in any variant that shows more of the tenant."""

from __future__ import annotations

import json

from teams_sip.bootstrap import build_doctor
from teams_sip.config import settings_from_values
from teams_sip.service.doctor import run_doctor
from teams_sip.service.doctor.render import render_markdown, render_text
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.catalog import ALL_ROLES
from teams_sip.unverified import POLICY_ADMIN_SCOPE
from tests.doctor.conftest import switch, values


def tenant_values(sim: SimulatedTenant) -> set[str]:
    with sim.world.lock:
        users = list(sim.world.users.values())
        devices = [d.hardware_id for d in sim.world.scenario.devices]
    found = {sim.tenant_id, sim.client_id, sim.client_secret, *devices}
    for u in users:
        found |= {u.upn, u.upn.split("@")[0], u.id, u.display_name}
        if u.phone_number:
            found |= {u.phone_number, u.phone_number.lstrip("+")}
    return {v for v in found if v and len(v) >= 4}


def test_reports_hold_no_tenant_value(sim: SimulatedTenant) -> None:
    switch(sim, default_policies_listed=False)
    sim.set_app_roles([*ALL_ROLES, "Directory.Read.All"])
    port, options = build_doctor(settings_from_values(values(sim)))
    try:
        report = run_doctor(port, options)
        tokens = {port.tokens.token(scope).reveal() for scope in ("https://graph.microsoft.com/.default",
                                                                   POLICY_ADMIN_SCOPE)}
    finally:
        port.close()
    texts = {"json": json.dumps(report.as_json()), "markdown": render_markdown(report), "text": render_text(report)}
    secrets = tenant_values(sim) | tokens
    assert len(secrets) > 300  # the scan covers the whole tenant, not a handful of values
    for kind, text in texts.items():
        leaked = sorted(v for v in secrets if v.lower() in text.lower())
        assert not leaked, f"{kind} report shows {leaked[:5]}"
    assert "userConfigurations.lookup" in texts["markdown"]


def test_snapshot_and_sign_in_log_probes_hold_no_tenant_value(sim: SimulatedTenant) -> None:
    """The widest report: Application.Read.All (service principal probes), --create-snapshot (job id,
    snapshot file with policy names) and handsets signed in (sign-in log entries with UPNs)."""
    from datetime import timedelta

    from teams_sip.simulator import invented
    from tests.doctor.test_signin_log_probes import sign_handsets_in

    sim.set_app_roles([*ALL_ROLES, "Application.Read.All"])
    sign_handsets_in(sim, 4)

    def wait(seconds: float) -> None:
        sim.clock.advance(timedelta(seconds=seconds))

    port, options = build_doctor(settings_from_values(values(sim)), create_snapshot=True, wait=wait)
    try:
        report = run_doctor(port, options)
    finally:
        port.close()
    assert report.finding("configurationSnapshots.layout").reading == "resources"
    assert report.finding("signInLogs.sipGateway").reading == "Teams SIP Gateway"
    with sim.world.lock:
        jobs = set(sim.world.config_snapshots.jobs)
        events = {v for e in sim.world.sign_in_log for v in (e.id, e.user_id, e.upn, e.display_name)}
    found = tenant_values(sim) | jobs | events | set(invented.snapshot_sp_ids(sim.tenant_id))
    assert jobs and events
    for kind, text in {"json": json.dumps(report.as_json()), "markdown": render_markdown(report)}.items():
        leaked = sorted(v for v in found if len(v) >= 4 and v.lower() in text.lower())
        assert not leaked, f"{kind} report shows {leaked[:5]}"
