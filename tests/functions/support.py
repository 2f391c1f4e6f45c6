"""A rollout on a simulated tenant installed behind the Functions app, and a way to call each decorated
function exactly as the host does: by name, with a real func.HttpRequest."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import azure.functions as func

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.bootstrap import build_wiring
from teams_sip.config import settings_from_values
from teams_sip.domain.clock import ManualClock
from teams_sip.entrypoints.functions import BLUEPRINTS, context
from teams_sip.service.rollout import Rollout
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

ROSTER = (
    "IPEI,UPN,Display name,Site,Install date,Account type\n"
    "0DEADBEEF4,anna@contoso.com,Anna,Lyon Plant,2026-03-17,personal\n"
    "0004D5F980,ben@contoso.com,Ben,Lyon Plant,2026-03-17,personal\n"
    "03717C0E0A,cleo@contoso.com,Cleo,Oslo Office,2026-03-18,personal\n"
)
SITES = ("name,region,time zone,contacts\nLyon Plant,EMEA,Europe/Paris,it-lyon@contoso.com\n"
         "Oslo Office,EMEA,Europe/Oslo,it-oslo@contoso.com\n")
USERS = [("anna@contoso.com", "Anna", "eligible"), ("ben@contoso.com", "Ben", "eligible"),
         ("cleo@contoso.com", "Cleo", "eligible")]
START = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
LYON_OPEN = datetime(2026, 3, 17, 6, 0, tzinfo=UTC)  # 07:00 in Lyon on the install day
ANNA, BEN, CLEO = "000DEADBEEF4", "000004D5F980", "0003717C0E0A"


def fresh_app() -> func.FunctionApp:
    """The app as function_app.py builds it; a new object each time, because the SDK indexes an app
    only once (a second get_functions() on the same object refuses duplicate names)."""
    made = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    for blueprint in BLUEPRINTS:
        made.register_functions(blueprint)
    return made


FUNCTIONS = {f.get_function_name(): f for f in fresh_app().get_functions()}


@dataclass
class World:
    sim: SimulatedTenant
    rollout: Rollout
    store: MemoryStateStore

    @property
    def clock(self) -> ManualClock:
        return self.sim.clock


@contextmanager
def world(tmp_path: Path, *, mode: str = "api", extra: dict[str, str] | None = None) -> Iterator[World]:
    clock = ManualClock(START)
    (tmp_path / "sites.csv").write_text(SITES)
    with SimulatedTenant.start(scenario_for_users(USERS), clock=clock) as sim:
        values = settings_values(sim, provisioning_mode=mode) | {
            "OUTPUT_DIR": str(tmp_path / "out"), "SITES_FILE": str(tmp_path / "sites.csv"),
            "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01", "IMPORT_MAX_MB": "1"} | (extra or {})
        store = MemoryStateStore()
        wiring = build_wiring(settings_from_values(values), clock=clock, store=store)
        rollout = Rollout(wiring)
        context.install(rollout)
        try:
            yield World(sim, rollout, store)
        finally:
            context.install(None)
            wiring.close()


def call(name: str, method: str = "GET", path: str = "/", *, body: bytes = b"", headers: dict[str, str] | None = None,
         params: dict[str, str] | None = None, route: dict[str, str] | None = None) -> func.HttpResponse:
    user_function = FUNCTIONS[name].get_user_function()
    request = func.HttpRequest(method, f"http://localhost{path}", headers=headers or {}, params=params or {},
                               route_params=route or {}, body=body)
    response = user_function(request)
    assert isinstance(response, func.HttpResponse)
    return response


def body_of(response: func.HttpResponse) -> Any:
    return json.loads(response.get_body())


def signed_in(name: str, groups: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers App Service authentication adds for an Entra ID user."""
    claims = [{"typ": "preferred_username", "val": name}] + [{"typ": "groups", "val": g} for g in groups]
    principal = base64.b64encode(json.dumps({"claims": claims}).encode()).decode()
    return {"x-ms-client-principal": principal}


def upload(data: bytes = ROSTER.encode(), filename: str = "roster.csv", content_type: str = "text/csv",
           headers: dict[str, str] | None = None) -> func.HttpResponse:
    return call("post_import", "POST", "/api/imports", body=data, params={"filename": filename},
                headers={"content-type": content_type, **(headers or {})})


def snapshot(w: World) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    return {"devices": {d.record.hardware_id: d.record for d in w.rollout.devices.all()},
            "imports": w.rollout.roster.imports(),
            "audit": w.rollout.audit.entries(w.clock.now().strftime("%Y-%m"))}
