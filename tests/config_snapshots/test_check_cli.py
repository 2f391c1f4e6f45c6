"""`teams-sip check --simulator` waits for the snapshot job and says which source judged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teams_sip.entrypoints.cli import main

pytestmark = pytest.mark.server  # `--simulator` starts the simulated tenant (the hints in tests/conftest.py miss it)

ROSTER = Path(__file__).resolve().parents[2] / "examples" / "handsets.csv"


def test_check_judges_policies_from_a_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(ROSTER), "--simulator", "--json", "--refresh-policies"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    assert out["summary"]["policySource"].startswith("configuration snapshot taken")
    reasons = [c["reason"] for u in out["users"] for c in u["checks"] if c["check"] == "policy.sip_devices"]
    assert reasons and all("snapshot" in r or "could not be read" in r or "no effective" in r for r in reasons)
