"""`teams-sip serve`: the Functions app's HTTP functions and timer on a local server, because the
Functions host cannot be installed everywhere. Requests are adapted to `func.HttpRequest` by the
local host; the handlers are the deployed ones.

With `--simulator` an in-process simulated tenant stands in for Microsoft 365: the users of
examples/handsets.csv (most eligible, a few not, to show why), the sites of examples/sites.csv, a
fresh SQLite store, and a clock that stands still at 2026-03-13 09:00 UTC until moved through
`POST /_sim/clock` (`{"set": "2026-03-16T06:00:00Z"}` or `{"hours": 24}`), so an admin can walk a
rollout through its install days in minutes.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from teams_sip.errors import TeamsSipError

DEMO_START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
# The example roster's users, as (upn, display name, simulator case).
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("anna.berg@contoso.com", "Anna Berg", "eligible"),
    ("ben.okafor@contoso.com", "Ben Okafor", "eligible"),
    ("lobby.phone@contoso.com", "Lobby phone", "common_area"),
    ("chloe.martin@contoso.com", "Chloe Martin", "eligible"),
    ("dev.patel@contoso.com", "Dev Patel", "eligible"),
    ("emma.jones@contoso.com", "Emma Jones", "eligible"),
    ("farid.haddad@contoso.com", "Farid Haddad", "eligible"),
    ("grace.lee@contoso.com", "Grace Lee", "eligible"),
    ("hiro.tanaka@contoso.com", "Hiro Tanaka", "eligible"),
    ("ivan.petrov@contoso.com", "Ivan Petrov", "unlicensed"),
    ("julia.rossi@contoso.com", "Julia Rossi", "eligible"),
    ("karl.weber@contoso.com", "Karl Weber", "policy_not_sip"),
    ("lena.fischer@contoso.com", "Lena Fischer", "eligible"),
    ("mia.novak@contoso.com", "Mia Novak", "eligible"),
    ("noah.smith@contoso.com", "Noah Smith", "no_phone_number"),
    ("peter.kim@contoso.com", "Peter Kim", "eligible"),
    ("quinn.hall@contoso.com", "Quinn Hall", "eligible"),
    ("rosa.diaz@contoso.com", "Rosa Diaz", "eligible"),
)
_ROOT = Path(__file__).resolve().parents[3]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the admin page, the HTTP API and the reconciliation timer locally (no Azure needed)",
        description="Run the Functions app's HTTP functions and timer on a local server: the admin page at /, "
        "the API under /api. Settings come from the environment or local.settings.json (SQLite by default); "
        "with --simulator a simulated tenant with the example users is started in-process instead, and its "
        "clock is moved with POST /_sim/clock.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=7071, help="port (default 7071, as the Functions host)")
    parser.add_argument("--simulator", action="store_true",
                        help="use an in-process simulated tenant (example users and sites) instead of Microsoft 365")
    parser.add_argument("--function-key", metavar="KEY",
                        help="the key (x-functions-key header or ?code=) the API and /_sim need, as in Azure; "
                             "without it a fresh key is generated and printed (a key is always required)")
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="with --simulator: where the SQLite file and output go (default: a new temp folder)")
    parser.set_defaults(handler=run)


def _simulated(data_dir: Path | None) -> tuple[Any, dict[str, str]]:
    from teams_sip.domain.clock import ManualClock
    from teams_sip.simulator import SimulatedTenant
    from teams_sip.simulator.connection import settings_values
    from teams_sip.simulator.generate import scenario_for_users

    sim = SimulatedTenant(scenario_for_users(DEMO_USERS), clock=ManualClock(DEMO_START))
    sim.run_in_background()
    folder = data_dir or Path(tempfile.mkdtemp(prefix="teams-sip-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    values = settings_values(sim) | {"OUTPUT_DIR": str(folder / "output"),
                                     "SQLITE_PATH": str(folder / "teams-sip.sqlite3"),
                                     "HTTP_RETRY_BASE_DELAY_SECONDS": "0.05"}
    sites = _ROOT / "examples" / "sites.csv"
    if sites.is_file():
        values["SITES_FILE"] = str(sites)
    return sim, values


def run(args: argparse.Namespace) -> int:
    import azure.functions as func
    import uvicorn

    from teams_sip.bootstrap import build_wiring
    from teams_sip.config import load_settings, settings_from_values
    from teams_sip.entrypoints.functions import BLUEPRINTS, context
    from teams_sip.entrypoints.functions.imports import upload_cap
    from teams_sip.entrypoints.functions.reconcile import resolve_schedule
    from teams_sip.entrypoints.local_guard import LocalGuard
    from teams_sip.entrypoints.local_host import LocalFunctionsHost, TimerLoop, asgi_app
    from teams_sip.observability import configure_logging
    from teams_sip.service.rollout import Rollout

    if args.function_key is not None and not args.function_key.strip():
        print("error: --function-key is empty; give a key, or leave the option out to have one generated",
              file=sys.stderr)
        return 2
    key = args.function_key or secrets.token_urlsafe(24)
    configure_logging("INFO")
    sim = None
    try:
        if args.simulator:
            sim, values = _simulated(args.data_dir)
            wiring = build_wiring(settings_from_values(values), clock=sim.clock)
        else:
            wiring = build_wiring(load_settings())
    except TeamsSipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if sim is not None:
            sim.stop()
        return 2
    context.install(Rollout(wiring))
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)  # as function_app.py builds it
    for blueprint in BLUEPRINTS:
        app.register_functions(blueprint)
    host = LocalFunctionsHost(app, function_key=key, host_json=_ROOT / "host.json",
                              max_body_bytes=upload_cap(wiring.settings.rollout.import_max_mb))
    web = asgi_app(host)
    if sim is not None:
        from starlette.applications import Starlette
        from starlette.routing import Mount

        from teams_sip.simulator.control import control_routes

        web = Starlette(routes=[*control_routes(sim.backend), Mount("/", app=web)])
    bound = () if args.host in ("0.0.0.0", "::") else (args.host,)  # noqa: S104 - compared, not bound
    web = LocalGuard(web, port=args.port, key=key, addresses=bound)
    timer = TimerLoop(host, wiring.clock.now, resolve_schedule)
    timer.start()
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"warning: binding {args.host}, which is not loopback", file=sys.stderr)
    print(f"teams-sip serving on http://127.0.0.1:{args.port}/ (admin page) and /api" +
          (" with a simulated tenant; move its clock with POST /_sim/clock" if sim is not None else ""), flush=True)
    if args.function_key is None:
        print(f"function key (enter it on the admin page; x-functions-key header for the API): {key}", flush=True)
    try:
        uvicorn.run(web, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="off")
    finally:
        timer.stop()
        context.install(None)
        wiring.close()
        if sim is not None:
            sim.stop()
    return 0
