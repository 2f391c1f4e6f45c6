"""The binding metadata the Functions host reads from the app: routes, methods, auth levels, the
timer's schedule setting and the queue that joins the timer to its worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from function_app import app

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_HTTP = {
    "health": ("api/health", ["GET"], "ANONYMOUS"),
    "post_import": ("api/imports", ["POST"], "FUNCTION"),
    "get_import": ("api/imports/{import_id}", ["GET"], "FUNCTION"),
    "list_devices": ("api/devices", ["GET"], "FUNCTION"),
    "get_device": ("api/devices/{hardware_id}", ["GET"], "FUNCTION"),
    "renew_device_code": ("api/devices/{hardware_id}/renew-code", ["POST"], "FUNCTION"),
    "summary": ("api/summary", ["GET"], "FUNCTION"),
    "run_now": ("api/run", ["POST"], "FUNCTION"),
    "get_worksheet": ("api/worksheets/{site}/{day}", ["GET"], "FUNCTION"),
    "post_codes": ("api/codes", ["POST"], "FUNCTION"),
    "post_signin_results": ("api/signin-results", ["POST"], "FUNCTION"),
    "doctor": ("api/doctor", ["GET"], "FUNCTION"),

    "post_inventory": ("api/inventory", ["POST"], "FUNCTION"),
    "post_mark": ("api/devices/{hardware_id}/mark", ["POST"], "FUNCTION"),
    "static_asset": ("static/{name}", ["GET"], "ANONYMOUS"),
    "index": ("{page?}", ["GET"], "ANONYMOUS"),
}


# get_functions() indexes the app and refuses to run twice on one app object, so read it once.
BINDINGS: dict[str, list[dict[str, Any]]] = {
    str(f.get_function_name()): json.loads(f.get_function_json())["bindings"] for f in app.get_functions()}


def _bindings() -> dict[str, list[dict[str, Any]]]:
    return BINDINGS


def test_http_routes_methods_and_auth_levels() -> None:
    found = {}
    for name, bindings in _bindings().items():
        trigger = bindings[0]
        if trigger["type"] == "httpTrigger":
            found[name] = (trigger["route"], trigger["methods"], trigger["authLevel"])
            assert any(b["type"] == "http" and b["direction"] == "OUT" for b in bindings), name
    assert found == EXPECTED_HTTP


def test_route_prefix_is_empty_so_the_page_lives_at_root() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["extensions"]["http"]["routePrefix"] == ""
    assert all(route.startswith("api/") for route, _, _ in EXPECTED_HTTP.values()
               if route not in ("{page?}", "static/{name}"))


def test_timer_schedule_setting_and_queue_fan_out() -> None:
    bindings = _bindings()
    timer = {b["type"]: b for b in bindings["reconcile_timer"]}
    assert timer["timerTrigger"]["schedule"] == "%RECONCILE_SCHEDULE%"
    assert timer["timerTrigger"]["runOnStartup"] is False
    assert timer["queue"] == {"direction": "OUT", "type": "queue", "name": "work", "queueName": "reconcile-work",
                              "connection": "AzureWebJobsStorage"}
    (worker,) = bindings["reconcile_worker"]
    assert (worker["type"], worker["queueName"], worker["connection"]) == (
        "queueTrigger", "reconcile-work", "AzureWebJobsStorage")
    example = json.loads((ROOT / "local.settings.json.example").read_text())
    assert example["Values"]["RECONCILE_SCHEDULE"] == "0 */15 * * * *"

