"""`teams-sip simulator`: runs the simulated Microsoft 365 tenant as a process on loopback, so the
service, curl or a browser can be pointed at it. Writes the connection settings to a file
instead of printing the client secret."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulator",
        help="run a simulated Microsoft 365 tenant (Entra, Graph subset, device provisioning) on loopback",
        description=(
            "Serve a simulated tenant over HTTPS with a certificate authority generated at start. "
            "Control it through /_sim endpoints (clock, faults, stats, device actions, outbox); "
            "see docs/simulator.md."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8443, help="port to bind (default 8443; 0 picks a free one)")
    parser.add_argument("--scenario", type=Path, help="JSON scenario file (format in docs/simulator.md)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated scenario (default 7)")
    parser.add_argument("--users", type=int, default=50, help="users in the generated scenario (default 50)")
    parser.add_argument(
        "--write-scenario", type=Path, metavar="FILE", help="write the scenario as JSON to FILE and exit"
    )
    parser.add_argument(
        "--observed", type=Path, metavar="REPORT",
        help="a `teams-sip doctor --json` report: switch the scenario to answer as that tenant did",
    )
    parser.add_argument(
        "--connection-file",
        type=Path,
        default=Path("output/simulator-connection.json"),
        help="where to write tenant id, client id, secret and CA path (default output/simulator-connection.json)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from teams_sip.simulator import Scenario, SimulatedTenant

    try:
        scenario = Scenario.load(args.scenario) if args.scenario else Scenario.generate(args.users, seed=args.seed)
        if args.observed:
            scenario = _observed(scenario, args.observed)
        if args.write_scenario:
            scenario.save(args.write_scenario)
            print(f"scenario with {len(scenario.users)} users written to {args.write_scenario}")
            return 0
        if args.host not in ("127.0.0.1", "::1", "localhost"):
            print(f"warning: binding {args.host}, which is not loopback", file=sys.stderr)
        try:
            sim = SimulatedTenant(scenario, host=args.host, port=args.port)
        except OSError as exc:
            raise TeamsSipError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    except TeamsSipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = {
        "tenantId": sim.tenant_id,
        "clientId": sim.client_id,
        "clientSecret": sim.client_secret,
        "certificatePath": sim.cert_pem_path,
        "privateKeyPath": sim.key_pem_path,
        "certificateThumbprint": sim.cert_thumbprint,
        "caBundle": sim.ca_bundle,
        "authority": sim.authority,
        "graphUrl": sim.graph_url,
        "graphBetaUrl": sim.graph_beta_url,
        "provisioningUrl": sim.provisioning_url,
        "policyAdminUrl": sim.policy_admin_url,
        "controlUrl": f"{sim.base_url}/_sim",
    }
    args.connection_file.parent.mkdir(parents=True, exist_ok=True)
    args.connection_file.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    args.connection_file.chmod(0o600)
    print(f"simulated tenant {sim.tenant_id} with {len(scenario.users)} users at {sim.base_url}")
    print(f"connection settings (incl. the client secret): {args.connection_file}")
    print(f"CA certificate to trust: {sim.ca_bundle}")
    print("press Ctrl+C to stop")
    sim.serve_forever()
    return 0


def _observed(scenario: Any, report: Path) -> Any:
    from teams_sip.simulator.observed import load_report, scenario_from_report

    switched, notes = scenario_from_report(load_report(report), scenario)
    for note in notes:
        print(f"observed: {note}", file=sys.stderr)
    return switched
