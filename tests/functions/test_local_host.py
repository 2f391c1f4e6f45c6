"""The local host must call decorated functions exactly as the Functions host would."""

import json
from pathlib import Path

import azure.functions as func
from starlette.testclient import TestClient

from teams_sip.entrypoints.local_host import LocalFunctionsHost, asgi_app


def _app(seen: list[str]) -> func.FunctionApp:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)

    @app.route(route="items/{item_id}/parts/{part:int}", methods=["GET"])
    def get_part(req: func.HttpRequest) -> func.HttpResponse:
        body = {"route": dict(req.route_params), "q": req.params.get("q"), "url": req.url}
        return func.HttpResponse(json.dumps(body), mimetype="application/json")

    @app.route(route="echo", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
    def echo(req: func.HttpRequest) -> func.HttpResponse:
        return func.HttpResponse(req.get_body(), status_code=201, headers={"X-Seen": "yes"}, mimetype="text/plain")

    @app.timer_trigger(schedule="0 */15 * * * *", arg_name="timer", run_on_startup=False)
    @app.queue_output(arg_name="msgs", queue_name="work", connection="AzureWebJobsStorage")
    def tick(timer: func.TimerRequest, msgs: func.Out[list[str]]) -> None:
        seen.append(f"timer past_due={timer.past_due}")
        msgs.set(["site-a", "site-b"])

    @app.queue_trigger(arg_name="msg", queue_name="work", connection="AzureWebJobsStorage")
    def work(msg: func.QueueMessage) -> None:
        seen.append(f"work {msg.get_body().decode()}")

    return app


def test_routes_params_and_keys() -> None:
    host = LocalFunctionsHost(_app([]), function_key="k1")
    client = TestClient(asgi_app(host))
    assert client.get("/api/items/a1/parts/3?q=x").status_code == 401
    assert client.get("/api/items/a1/parts/3?code=wrong").status_code == 401
    ok = client.get("/api/items/a1/parts/3?q=x", headers={"x-functions-key": "k1"})
    assert ok.status_code == 200
    assert ok.json()["route"] == {"item_id": "a1", "part": "3"} and ok.json()["q"] == "x"
    assert client.get("/api/items/a1/parts/x", headers={"x-functions-key": "k1"}).status_code == 404
    assert client.get("/api/echo").status_code == 404  # GET is not an allowed method
    echoed = client.post("/api/echo", content=b"hello")
    assert (echoed.status_code, echoed.content, echoed.headers["x-seen"]) == (201, b"hello", "yes")


def test_timer_output_reaches_queue_function() -> None:
    seen: list[str] = []
    host = LocalFunctionsHost(_app(seen))
    host.fire_timer(past_due=True)
    assert seen == ["timer past_due=True", "work site-a", "work site-b"]


def test_route_prefix_comes_from_host_json(tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    host_json.write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}))
    client = TestClient(asgi_app(LocalFunctionsHost(_app([]), host_json=host_json)))
    assert client.post("/echo", content=b"x").status_code == 201
    assert client.post("/api/echo", content=b"x").status_code == 404
