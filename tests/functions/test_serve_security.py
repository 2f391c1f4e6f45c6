"""Issue 24 items 1 and 5, over real sockets against `teams-sip serve --simulator` started as documented
(no --function-key): it always needs a key, answers only to loopback Host names, refuses foreign
origins and the content types a page can send unasked, guards /_sim with the same key, and answers a
keyless or oversized upload before the client has finished sending it (the body is never read)."""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.serve_process import serving_generated_key

MB = 1024 * 1024


@dataclass(frozen=True)
class Served:
    base: str
    key: str
    log: Path

    @property
    def port(self) -> int:
        return int(urlsplit(self.base).port or 0)

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return httpx.post(f"{self.base}{path}", timeout=30, **kwargs)  # type: ignore[arg-type]

    @property
    def json_headers(self) -> dict[str, str]:
        return {"x-functions-key": self.key, "content-type": "application/json"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("serve")
    with serving_generated_key(workdir) as (base, key):
        yield Served(base, key, next(workdir.glob("serve-*.log")))


def test_serve_generates_and_prints_a_key_and_refuses_an_empty_one(served: Served, tmp_path: Path) -> None:
    assert len(served.key) >= 24, "serve started without --function-key must print the key it generated"
    assert httpx.get(f"{served.base}/api/summary", timeout=10).status_code == 401
    keyed = httpx.get(f"{served.base}/api/summary", headers={"x-functions-key": served.key}, timeout=10)
    assert keyed.status_code == 200
    empty = subprocess.run([sys.executable, "-m", "teams_sip", "serve", "--simulator", "--function-key", "",
                            "--data-dir", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and "--function-key is empty" in empty.stderr


def test_only_loopback_host_names_are_answered(served: Served) -> None:
    """DNS rebinding: the attacker's own name resolves to 127.0.0.1, but the browser sends that name."""
    key = {"x-functions-key": served.key}
    for host in ("evil.example", f"evil.example:{served.port}", "127.0.0.1", f"127.0.0.2:{served.port}"):
        response = httpx.get(f"{served.base}/api/summary", headers={**key, "host": host}, timeout=10)
        assert response.status_code == 421, host
    for host in (f"localhost:{served.port}", f"127.0.0.1:{served.port}", f"[::1]:{served.port}"):
        assert httpx.get(f"{served.base}/api/summary", headers={**key, "host": host}, timeout=10).status_code == 200
    assert httpx.get(f"{served.base}/_sim/stats", headers={**key, "host": "evil.example"},
                     timeout=10).status_code == 421


def test_a_foreign_origin_is_refused_on_every_change(served: Served) -> None:
    for origin in ("http://evil.example", f"http://127.0.0.1:{served.port + 1}", "null"):
        for path in ("/api/run", "/api/imports", "/api/devices/0DEADBEEF4/renew-code", "/_sim/clock"):
            response = served.post(path, headers={**served.json_headers, "origin": origin}, content=b"{}")
            assert response.status_code == 403 and response.json()["error"]["code"] == "foreignOrigin", (origin, path)
    cross = served.post("/api/run", headers={**served.json_headers, "sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    same = served.post("/api/run", headers={**served.json_headers, "origin": f"http://localhost:{served.port}"})
    assert same.status_code == 200, same.text


def test_changes_need_a_content_type_a_page_cannot_send_unasked(served: Served) -> None:
    key = {"x-functions-key": served.key}
    for headers in ({}, {"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"},
                    {"content-type": "text/plain; charset=utf-8"}):
        for path in ("/api/run", "/api/imports?filename=r.csv", "/_sim/clock"):
            response = served.post(path, headers={**key, **headers}, content=b"")
            assert response.status_code == 415, (path, headers)
    assert served.post("/api/run", headers=served.json_headers).status_code == 200  # empty JSON body: fine


def test_sim_routes_need_the_key(served: Served) -> None:
    moment = {"set": "2026-03-13T09:00:00Z"}
    assert served.post("/_sim/clock", json=moment).status_code == 401
    assert httpx.get(f"{served.base}/_sim/stats", timeout=10).status_code == 401
    assert served.post("/_sim/clock", json=moment, headers={"x-functions-key": "wrong"}).status_code == 401
    assert served.post("/_sim/clock", json=moment, headers={"x-functions-key": served.key}).status_code == 200


def _send_until_answered(served: Served, head: str, total: int, chunked: bool = False) -> tuple[bytes, int]:
    """Sends `head`, then up to `total` body bytes; answers (first bytes of the response, bytes sent)
    as soon as the server answers, which it must do long before the body is complete."""
    piece, sent = b"x" * 65536, 0
    data = (b"%x\r\n" % len(piece) + piece + b"\r\n") if chunked else piece
    with socket.create_connection(("127.0.0.1", served.port), timeout=2) as sock:
        sock.sendall(head.encode())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], 0 if sent < total else 0.5)
            if readable:
                return sock.recv(4096), sent
            if sent < total:
                try:
                    sock.sendall(data)
                    sent += len(piece)
                except (TimeoutError, BrokenPipeError, ConnectionResetError):
                    continue  # the server stopped reading: its answer is on its way
    raise AssertionError(f"no answer after sending {sent} bytes")


def _head(served: Served, length: str, key: str | None, content_type: str = "text/csv") -> str:
    lines = ["POST /api/imports?filename=big.csv HTTP/1.1", f"Host: 127.0.0.1:{served.port}",
             f"Content-Type: {content_type}", length]
    if key is not None:
        lines.append(f"x-functions-key: {key}")
    return "\r\n".join(lines) + "\r\n\r\n"


def test_a_keyless_upload_is_refused_before_it_is_sent(served: Served) -> None:
    answer, sent = _send_until_answered(served, _head(served, f"Content-Length: {200 * MB}", None), 200 * MB)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:40]
    assert sent < 20 * MB, f"the server let {sent} bytes of a keyless upload arrive before refusing it"


def test_an_upload_over_the_cap_is_refused_before_it_is_sent(served: Served) -> None:
    declared = _head(served, f"Content-Length: {200 * MB}", served.key)
    answer, sent = _send_until_answered(served, declared, 200 * MB)
    assert answer.startswith(b"HTTP/1.1 413") and sent < 20 * MB, (answer[:40], sent)
    streamed = _head(served, "Transfer-Encoding: chunked", served.key)
    answer, sent = _send_until_answered(served, streamed, 200 * MB, chunked=True)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:40]
    assert sent < 60 * MB, f"{sent} bytes sent before the 20 MB cap stopped a chunked upload"


def test_a_deeply_nested_json_body_is_a_clear_400_without_a_traceback(served: Served) -> None:
    deep = b"{\"checkAllUsers\": " + b"[" * 5000 + b"]" * 5000 + b"}"
    response = served.post("/api/run", headers=served.json_headers, content=deep)
    assert response.status_code == 400 and "nested" in response.json()["error"]["message"]
    huge = json.dumps({"checkAllUsers": False, "pad": "x" * 2_000_000}).encode()
    assert served.post("/api/run", headers=served.json_headers, content=huge).status_code == 413
    assert "Traceback" not in served.log.read_text()
