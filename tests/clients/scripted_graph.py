"""A scripted stand-in for Graph's `$batch` endpoint on loopback HTTPS, for behaviour the simulated
tenant cannot be made to show on demand: inner answers with different Retry-After values in one
envelope. Each inner request id follows its own script of answers; arrival times are recorded."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from teams_sip.adapters.auth import TokenProvider
from teams_sip.config import Settings, settings_from_values
from teams_sip.domain.secrets import Secret
from teams_sip.simulator.tls import make_tls_files

Answer = tuple[int, Mapping[str, str]]  # inner status and headers; after the script runs out: 200


@dataclass
class ScriptedGraph:
    scripts: Mapping[str, Sequence[Answer]]
    base_url: str = ""
    ca_bundle: str = ""
    arrivals: dict[str, list[float]] = field(default_factory=dict)
    envelopes: int = 0

    async def _batch(self, request: Request) -> JSONResponse:
        self.envelopes += 1
        body: Any = await request.json()
        answers = []
        for item in body["requests"]:
            seen = self.arrivals.setdefault(item["id"], [])
            seen.append(time.monotonic())
            script = self.scripts.get(item["id"], ())
            status, headers = script[len(seen) - 1] if len(seen) <= len(script) else (200, {})
            answers.append({"id": item["id"], "status": status, "headers": dict(headers), "body": {"id": item["id"]}})
        return JSONResponse({"responses": answers})

    def settings(self) -> Settings:
        return settings_from_values(
            {
                "TENANT_ID": "00000000-0000-0000-0000-000000000001",
                "CLIENT_ID": "00000000-0000-0000-0000-000000000002",
                "CLIENT_SECRET": "unused-by-the-scripted-graph",
                "GRAPH_BASE_URL": f"{self.base_url}/v1.0",
                "GRAPH_BETA_BASE_URL": f"{self.base_url}/beta",
                "CA_BUNDLE": self.ca_bundle,
                "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01",
                "HTTP_RETRY_MAX_DELAY_SECONDS": "5",
            }
        )


class FixedToken:
    """Entra's part, reduced to one opaque token: the scripted Graph does not check it."""

    def fetch(self, scope: str, *, fresh: bool) -> tuple[Secret, float]:
        return Secret("scripted-token"), 3600.0


def fixed_tokens() -> TokenProvider:
    return TokenProvider(FixedToken())


@contextmanager
def scripted_graph(scripts: Mapping[str, Sequence[Answer]]) -> Iterator[ScriptedGraph]:
    graph = ScriptedGraph(scripts)
    app = Starlette(routes=[Route("/v1.0/$batch", graph._batch, methods=["POST"])])
    with tempfile.TemporaryDirectory(prefix="scripted-graph-") as folder:
        tls = make_tls_files(Path(folder))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind(("127.0.0.1", 0))
        graph.base_url = f"https://127.0.0.1:{sock.getsockname()[1]}"
        graph.ca_bundle = str(tls.ca_bundle)
        config = uvicorn.Config(
            app, ssl_certfile=str(tls.server_cert), ssl_keyfile=str(tls.server_key), log_level="warning",
            access_log=False, lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield graph
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
