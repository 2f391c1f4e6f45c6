"""`teams-sip check` and `fix-policies` read the settings and the ledger a pass reads (issue 17
point 5, issue 18): COMPLIANT_CALLING_POLICIES from local.settings.json or the environment, and the
policy changes fix-policies made from the state store, not from a file beside the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from teams_sip.entrypoints.cli import main
from teams_sip.simulator import SimulatedTenant
from teams_sip.simulator.connection import settings_values
from teams_sip.simulator.generate import scenario_for_users

USERS = [("anna@contoso.com", "Anna", "eligible"), ("ben@contoso.com", "Ben", "eligible"),
         ("gus@contoso.com", "Gus", "policy_not_sip")]
ROSTER = "IPEI,UPN,Display name,Site,Install date,Account type\n" + "".join(
    f"0DEADBEE{n:02d},{upn},{name},Lyon Plant,2026-03-17,personal\n" for n, (upn, name, _case) in enumerate(USERS))


@pytest.fixture
def tenant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, dict[str, str]]]:
    """A simulated tenant, a roster, and a local.settings.json that points at the tenant without the
    Teams admin API (so calling policies are judged by the catalogue setting alone)."""
    with SimulatedTenant.start(scenario_for_users(USERS)) as sim:
        values = settings_values(sim, provisioning_mode="assisted") | {
            "SQLITE_PATH": str(tmp_path / "state.sqlite3"), "OUTPUT_DIR": str(tmp_path / "out"),
            "HTTP_RETRY_BASE_DELAY_SECONDS": "0.01"}
        del values["POLICY_ADMIN_BASE_URL"]
        (tmp_path / "roster.csv").write_text(ROSTER)
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("COMPLIANT_CALLING_POLICIES", raising=False)
        monkeypatch.setenv("TEAMS_SIP_SETTINGS_FILE", str(tmp_path / "local.settings.json"))
        yield tmp_path, values


def _write(folder: Path, values: dict[str, str]) -> None:
    (folder / "local.settings.json").write_text(json.dumps({"IsEncrypted": False, "Values": values}))


def _check(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["check", "roster.csv", "--json"])
    out = json.loads(capsys.readouterr().out)
    return code, {u["upn"]: u["verdict"] for u in out["users"]}


def test_check_honours_the_catalogue_setting(tenant: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder, values = tenant
    _write(folder, values)
    code, verdicts = _check(capsys)
    assert code == 1 and verdicts["anna@contoso.com"] == "needs_attention", "no catalogue: the policy is unknown"

    _write(folder, values | {"COMPLIANT_CALLING_POLICIES": "SIPDevices"})
    code, verdicts = _check(capsys)
    assert verdicts["anna@contoso.com"] == verdicts["ben@contoso.com"] == "eligible", "read from local.settings.json"
    assert verdicts["gus@contoso.com"] != "eligible"

    _write(folder, values)
    monkeypatch.setenv("COMPLIANT_CALLING_POLICIES", "SIPDevices")
    code, verdicts = _check(capsys)
    assert verdicts["anna@contoso.com"] == "eligible", "read from the environment"


def test_fix_policies_keeps_its_ledger_in_the_state_store(tenant: tuple[Path, dict[str, str]],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder, values = tenant
    _write(folder, values | {"COMPLIANT_CALLING_POLICIES": "SIPDevices"})
    assert main(["fix-policies", "roster.csv", "--policy", "SIPDevices", "--apply"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".json") == ["local.settings.json"]
    _code, verdicts = _check(capsys)
    assert verdicts["gus@contoso.com"] == "waiting_for_policy", "the ledger is read from the state store"

    from teams_sip.adapters.store.sqlite import SqliteStateStore
    from teams_sip.service.policy_ledger import StoreLedger

    with SqliteStateStore(folder / "state.sqlite3") as store:
        assert [e.upn for e in StoreLedger(store).load().entries()] == ["gus@contoso.com"]
