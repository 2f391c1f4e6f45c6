"""The partner's fleet view on in-memory ports: one line per tenant from that tenant's own state,
installs counted on each day, a tenant that cannot be read reported without hiding the others."""

from __future__ import annotations

import pytest

from teams_sip.errors import ConfigError
from teams_sip.service.fleet import fleet_view
from teams_sip.service.rollout import Rollout
from tests.fakes.directory import MemoryDirectory, MemoryDirectorySession, eligible_user
from tests.fakes.ports import MemoryPorts, memory_settings

# MemoryPorts' clock starts on 2026-03-13 09:00 UTC
ROWS = [("0DEADBE001", "ann@contoso.com", "2026-03-13"), ("0DEADBE002", "bob@contoso.com", "2026-03-14"),
        ("0DEADBE003", "cat@contoso.com", "2026-03-14"), ("0DEADBE004", "nobody@contoso.com", "2026-03-20")]


def _rollout(rows: list[tuple[str, str, str]]) -> Rollout:
    users = [eligible_user(upn, f"u-{n}") for n, (_i, upn, _d) in enumerate(rows) if not upn.startswith("nobody")]
    rollout = Rollout(MemoryPorts(memory_settings(), directory=MemoryDirectorySession(MemoryDirectory(users))))
    if rows:
        csv = "IPEI,UPN,Display name,Site,Install date,Account type\n" + "".join(
            f"{ipei},{upn},User,Lyon,{day},personal\n" for ipei, upn, day in rows)
        assert rollout.import_file(csv.encode(), "fleet.csv", actor="admin", correlation_id="imp").import_id
    return rollout


def _broken() -> Rollout:
    raise ConfigError("tenant 'globex': CLIENT_ID must be a GUID")


@pytest.fixture
def busy() -> Rollout:
    rollout = _rollout(ROWS)
    assert rollout.run_pass(correlation_id="p1").ran
    return rollout


def test_each_tenant_gets_its_own_line_and_the_totals_add_them(busy: Rollout) -> None:
    quiet = _rollout([])
    view = fleet_view([("contoso", lambda: busy), ("fabrikam", lambda: quiet)])
    contoso, fabrikam = view["tenants"]
    assert contoso["tenant"] == "contoso" and fabrikam["tenant"] == "fabrikam"
    assert sum(contoso["counts"].values()) == len(ROWS)
    assert contoso["counts"].get("blocked") == 1, "the user missing from the directory is blocked"
    assert contoso["installs_today"] == 1 and contoso["installs_tomorrow"] == 2
    assert contoso["needs_person"] >= 1
    assert contoso["last_pass"] is not None and contoso["last_pass"]["actor"]
    assert fabrikam == {"tenant": "fabrikam", "counts": {}, "installs_today": 0, "installs_tomorrow": 0,
                        "needs_person": 0, "inventory": "all sources answering", "last_pass": None}
    assert view["counts"] == contoso["counts"], "the quiet tenant adds nothing"


def test_a_tenant_that_cannot_be_read_is_reported_and_the_others_still_shown(busy: Rollout) -> None:
    view = fleet_view([("globex", _broken), ("contoso", lambda: busy)])
    globex, contoso = view["tenants"]
    assert globex == {"tenant": "globex", "error": "tenant 'globex': CLIENT_ID must be a GUID"}
    assert sum(contoso["counts"].values()) == len(ROWS)


def test_a_line_reads_only_its_own_tenant(busy: Rollout) -> None:
    """Two tenants with the same handsets and users: each line counts only its own store's records."""
    other = _rollout(ROWS[:1])
    assert other.run_pass(correlation_id="p2").ran
    view = fleet_view([("contoso", lambda: busy), ("fabrikam", lambda: other)])
    assert sum(view["tenants"][1]["counts"].values()) == 1 and view["tenants"][1]["installs_tomorrow"] == 0
    assert sum(view["counts"].values()) == len(ROWS) + 1
