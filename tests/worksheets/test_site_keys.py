"""Issue 24, items 3, 4 and 14: every per-site folder is keyed by the site's exact name (slug plus a
short hash), paths stay short whatever the name, one site's artefact failure never stops another's,
and a site whose name holds `/` or `..` still has a worksheet that can be downloaded."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from teams_sip.adapters.notify.folder import FolderArtifactStore, FolderNotifier
from teams_sip.adapters.provisioning.assisted import AssistedProvisioning
from teams_sip.domain.roster import MAX_SITE_NAME
from teams_sip.domain.secrets import Secret
from teams_sip.domain.site_keys import looks_like_key, site_key
from teams_sip.importing.roster_file import load_roster
from teams_sip.service.executor import DeliveredCode
from teams_sip.service.ports.provisioning import DeviceRegistration
from teams_sip.service.worksheet_delivery import WorksheetDelivery, worksheet_dir

NOW = datetime(2026, 3, 17, 6, 0, tzinfo=UTC)
DAY = date(2026, 3, 17)


def _code(hardware_id: str, site: str, code: str) -> DeliveredCode:
    return DeliveredCode(hardware_id, site, DAY, Secret(code), NOW + timedelta(hours=24))


def _delivery(artifacts: FolderArtifactStore) -> WorksheetDelivery:
    return WorksheetDelivery(artifacts, FolderNotifier(artifacts), sites={}, roster={}, tenant_id=None,
                             now=lambda: NOW)


def _codes_in(artifacts: FolderArtifactStore, site: str) -> set[str]:
    return {line["code"] for line in json.loads(artifacts.get(f"{worksheet_dir(site, DAY)}/lines.json") or b"[]")}


def test_sites_that_slug_alike_keep_their_own_worksheets(tmp_path: Path) -> None:
    artifacts = FolderArtifactStore(tmp_path)
    _delivery(artifacts)([_code("000DEADBEEF4", "Paris Nord", "111111"),
                          _code("000004D5F980", "Paris (Nord)", "222222")])
    assert worksheet_dir("Paris Nord", DAY) != worksheet_dir("Paris (Nord)", DAY)
    assert _codes_in(artifacts, "Paris Nord") == {"111111"}
    assert _codes_in(artifacts, "Paris (Nord)") == {"222222"}


def test_assisted_tac_files_of_sites_that_slug_alike_stay_apart(tmp_path: Path) -> None:
    artifacts = FolderArtifactStore(tmp_path)
    assisted = AssistedProvisioning(artifacts, FolderNotifier(artifacts), ["admin@contoso.com"], lambda: NOW)
    results = assisted.register([DeviceRegistration("000DEADBEEF4", "Paris Nord"),
                                 DeviceRegistration("000004D5F980", "Paris (Nord)")])
    assert {r.status for r in results} == {"created"}
    files = sorted(tmp_path.glob("assisted/*/tac-upload.csv"))
    assert len(files) == 2
    texts = {f.read_text(encoding="utf-8-sig") for f in files}
    assert any("Paris Nord" in t and "Paris (Nord)" not in t for t in texts)
    assert len(list(tmp_path.glob("outbox/*-admin-task.json"))) == 2  # each site's admin task, once each


def test_keys_are_short_url_safe_and_tell_names_apart() -> None:
    names = ["Paris Nord", "Paris (Nord)", "paris nord", "R&D / Bât. 2", "../../etc", "東京", "x" * 300]
    keys = [site_key(n) for n in names]
    assert len(set(keys)) == len(names)
    assert all(looks_like_key(k) and len(k) <= 51 and "/" not in k and ".." not in k for k in keys)


def test_long_site_names_are_refused_at_import_and_paths_stay_short(tmp_path: Path) -> None:
    long_name = "Site " + "x" * MAX_SITE_NAME
    result = load_roster(f"IPEI,UPN,Site\n0DEADBEEF4,a@contoso.com,{long_name}\n".encode(), "r.csv")
    [row] = result.rows
    assert row.errors and f"longer than {MAX_SITE_NAME} characters" in row.errors[0].message
    # a name that reached the service another way (a sites file) still gets a worksheet path any FS takes
    artifacts = FolderArtifactStore(tmp_path)
    _delivery(artifacts)([_code("000DEADBEEF4", "y" * 1000, "333333")])
    assert _codes_in(artifacts, "y" * 1000) == {"333333"}
    assert max(len(p.name) for p in tmp_path.rglob("*")) < 100


class _FailingFor(FolderArtifactStore):
    """A store whose writes fail for one site's folder, as a full disk or a refused name would."""

    def __init__(self, root: Path, site: str) -> None:
        super().__init__(root)
        self.bad = worksheet_dir(site, DAY)

    def put(self, path: str, data: bytes, content_type: str) -> str:
        if path.startswith(self.bad):
            raise OSError(36, "File name too long")
        return super().put(path, data, content_type)


def test_one_sites_artefact_failure_does_not_stop_another_site(tmp_path: Path) -> None:
    artifacts = _FailingFor(tmp_path, "Lyon")
    failed = _delivery(artifacts)([_code("000DEADBEEF4", "Lyon", "111111"), _code("000004D5F980", "Oslo", "222222")])
    assert _codes_in(artifacts, "Oslo") == {"222222"}
    assert [h for h, _ in failed] == ["000DEADBEEF4"]
    assert "Lyon" in failed[0][1] and "File name too long" in failed[0][1] and "111111" not in failed[0][1]
