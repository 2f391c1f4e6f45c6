"""A partner's fleet from the composition root: one wiring per tenant over one shared store and
artefact folder, each seeing only its own part; per-tenant throttle buckets under one app-wide
global bucket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from teams_sip.adapters.store.memory import MemoryStateStore
from teams_sip.adapters.throttle import GLOBAL, Draw, ServiceBudgets
from teams_sip.bootstrap import build_fleet
from teams_sip.errors import InputError
from teams_sip.tenancy.deployment import UnknownTenantError, deployment_from_values
from tests.tenancy.test_tenants_file import APP, T1, T2


def _fleet(tmp_path: Path) -> tuple[object, MemoryStateStore]:
    path = tmp_path / "tenants.json"
    path.write_text(json.dumps([{"name": "contoso", "tenantId": T1}, {"name": "fabrikam", "tenantId": T2}]))
    values = {"CLIENT_ID": APP, "CLIENT_SECRET": "s", "TENANTS_FILE": str(path), "OUTPUT_DIR": str(tmp_path / "out")}
    store = MemoryStateStore()
    return build_fleet(deployment_from_values(values), store=store), store


def test_each_tenant_gets_its_own_view_of_the_shared_store_and_folder(tmp_path: Path) -> None:
    fleet, shared = _fleet(tmp_path)
    contoso, fabrikam = fleet.wiring("contoso"), fleet.wiring("fabrikam")  # type: ignore[attr-defined]
    assert fleet.wiring("contoso") is contoso  # type: ignore[attr-defined]
    contoso.store.upsert("devices", "all", "000DEADBEEF4", {"site": "HQ"})
    assert fabrikam.store.get("devices", "all", "000DEADBEEF4") is None
    assert [e.partition_key for e in shared.query("devices")] == ["contoso~all"]
    where = contoso.artifacts.put("worksheets/HQ.csv", b"x", "text/csv")
    assert Path(where) == tmp_path / "out" / "tenants" / "contoso" / "worksheets" / "HQ.csv"
    assert contoso.artifacts.list() == ["worksheets/HQ.csv"] and fabrikam.artifacts.list() == []
    assert fabrikam.artifacts.get("worksheets/HQ.csv") is None
    with pytest.raises(InputError):
        fabrikam.artifacts.get("../contoso/worksheets/HQ.csv")
    assert contoso.settings.authority.endswith(T1) and fabrikam.settings.authority.endswith(T2)
    assert contoso.tokens is not fabrikam.tokens  # tokens acquired and cached per tenant
    with pytest.raises(UnknownTenantError):
        fleet.wiring("tailspin")  # type: ignore[attr-defined]


def test_tenants_share_only_the_global_bucket(tmp_path: Path) -> None:
    fleet, _ = _fleet(tmp_path)
    a = fleet.wiring("contoso").metrics.budgets  # type: ignore[attr-defined]
    b = fleet.wiring("fabrikam").metrics.budgets  # type: ignore[attr-defined]
    global_draw, teams = Draw(GLOBAL, 10, 1.0, 100), Draw("teams-get", 4, 0.001, 5)
    assert a.reserve([global_draw, teams]) == 0.0
    assert b.tokens(GLOBAL) == pytest.approx(90, abs=0.1)  # one app-wide bucket
    assert a.reserve([teams]) > 0 and b.reserve([teams]) == 0.0  # a's Teams bucket is a's alone
    a.block([global_draw, Draw("teams-get", 1, 0.001, 5)], 30.0)
    assert b.reserve([Draw("teams-get", 1, 0.001, 5)]) == 0.0  # a 429 in a never blocks b


def test_budgets_without_an_app_wide_bucket_keep_their_own_global() -> None:
    alone, other = ServiceBudgets(), ServiceBudgets()
    assert alone.reserve([Draw(GLOBAL, 10, 1.0, 100)]) == 0.0
    assert other.tokens(GLOBAL) is None and alone.tokens(GLOBAL) == pytest.approx(90, abs=0.1)
