"""Issue 24 item 1: a web page on another origin, opened in the admin's own Chromium while
`teams-sip serve` runs (started as documented, without --function-key), tries every request a page
can send without the API's cooperation: no-cors fetches with text/plain and multipart bodies, plain
HTML form posts (text/plain and multipart) to `api/run` and `api/imports`, once without a key and
once with a leaked key in `?code=`. Nothing may happen on the server: no import, no pass, no report.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import ROOT
from tests.serve_process import serving_generated_key

pytestmark = pytest.mark.browser
ROSTER = (ROOT / "examples" / "handsets.csv").read_text()

ATTACK = (Path(__file__).parent / "attacker.html").read_text()  # the hostile page (its own file: long lines of JS)


@pytest.fixture
def attacker() -> Iterator[str]:
    """A second origin: another local HTTP server, on another port, serving the hostile page."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = ATTACK.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_changes_nothing(tmp_path: Path, attacker: str, page: Any) -> None:
    with serving_generated_key(tmp_path) as (base, key):
        page.goto(f"{attacker}/")
        for suffix in ("", f"code={key}"):  # no key, then a leaked key: the origin rules alone must hold
            tried = page.evaluate("([t, r, s]) => window.attack(t, r, s)", [base, ROSTER, suffix])
            assert len(tried) == 5, tried
        output = tmp_path / "data" / "output"
        assert not (output / "imports").exists(), "a cross-site request imported a roster"
        assert not (output / "reports").exists(), "a cross-site request ran a pass"
        summary = httpx.get(f"{base}/api/summary", headers={"x-functions-key": key}, timeout=10).json()
        assert summary["sites"] == [] and summary["attention"] == []
        log = next(tmp_path.glob("serve-*.log")).read_text()
        assert "Traceback" not in log
