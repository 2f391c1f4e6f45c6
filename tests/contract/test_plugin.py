"""The suite-wide contract fails a run whose tests received an undocumented Graph answer, names it and
the test, and leaves out the answers of a test marked graph_contract_exempt (run in a child pytest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = '''
import httpx
import pytest

from teams_sip.simulator import Scenario, SimulatedTenant, graph_routes
from tests.simulator.conftest import token


def serve(monkeypatch, extra):
    original = graph_routes.user_json
    monkeypatch.setattr(graph_routes, "user_json", lambda world, key: original(world, key) | extra)
    with SimulatedTenant.start(Scenario.generate(users=2, seed=1)) as sim:
        with httpx.Client(verify=sim.ssl_context()) as client:
            client.get(f"{sim.graph_url}/users/{sim.scenario.users[0].upn}", headers=token(client, sim))


def test_divergent(monkeypatch):
    serve(monkeypatch, {"mail": 7})


@pytest.mark.graph_contract_exempt("feeds the client an undocumented answer on purpose")
def test_exempt(monkeypatch):
    serve(monkeypatch, {"surname": 7})
'''


def test_an_undocumented_answer_fails_the_run_and_an_exempt_test_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "test_child.py").write_text(CHILD, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.contract.plugin", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_child.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert "User.mail: wrong type" in run.stdout and "test_divergent" in run.stdout
    assert "surname" not in run.stdout
