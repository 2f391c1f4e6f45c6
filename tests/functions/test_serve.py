"""`teams-sip serve --simulator` as a process on a free port, driven over HTTP like an admin's browser:
upload the example roster, query devices, move the simulated clock, run a pass, download a worksheet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve_process import serving

ROOT = Path(__file__).resolve().parents[2]
KEY = "local-test-key"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path, KEY) as base:
        yield base


def test_upload_query_and_worksheet_over_http(served: str) -> None:
    key = {"x-functions-key": KEY}
    as_json = {**key, "content-type": "application/json"}  # every POST, even with no body (local_guard.py)
    with httpx.Client(base_url=served, timeout=30) as client:
        assert client.get("/api/summary").status_code == 401  # the key is required, as in Azure
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        roster = (ROOT / "examples" / "handsets.csv").read_bytes()
        imported = client.post("/api/imports", params={"filename": "handsets.csv"}, content=roster,
                               headers={**key, "content-type": "text/csv"})
        assert imported.status_code == 202 and imported.json()["report"]["summary"]["accepted"] == 10
        assert client.post("/api/run", headers=as_json).status_code == 200
        stockholm = client.get("/api/devices", params={"site": "Stockholm HQ"}, headers=key).json()
        assert {d["state"] for d in stockholm["devices"]} == {"registered"} and len(stockholm["devices"]) == 3

        clock = client.post("/_sim/clock", json={"set": "2026-03-16T06:30:00Z"}, headers=key)  # 07:30 in Stockholm
        assert clock.status_code == 200
        ran = client.post("/api/run", headers=as_json).json()
        assert "3 code(s) issued" in ran["summary"]
        sheet = client.get("/api/worksheets/Stockholm HQ/2026-03-16", params={"format": "csv"}, headers=key)
        assert sheet.status_code == 200 and sheet.headers["cache-control"] == "no-store"
        assert sheet.text.count("*55*") == 3
        missing = client.get("/api/worksheets/Stockholm HQ/2026-03-20", headers=key)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "notFoundError"
