"""`teams-sip site-sheet`: prints the block for a known site, refuses with exit 2 and a message
(never a traceback) when the site cannot be provisioned."""

from pathlib import Path

from teams_sip.entrypoints.cli import main

EXAMPLE = str(Path(__file__).resolve().parent / "sites.csv")
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_prints_the_sheet_for_a_known_site(capsys):
    assert main(["site-sheet", "berlin hq", "--sites", EXAMPLE]) == 0
    out = capsys.readouterr().out
    assert "Site settings: Berlin HQ" in out
    assert "Provisioning URL: http://emea.ipp.sdg.teams.microsoft.com/lang_de\n" in out
    assert "Poly Rove base: ITSP provisioning > ConfigUrl: http://emea.ipp.sdg.teams.microsoft.com/lang_de" in out
    assert "Gigaset shows" in out and "*#06#" in out


def test_bulk_sign_in_site_needs_and_uses_the_tenant_id(capsys):
    assert main(["site-sheet", "Chicago Plant", "--sites", EXAMPLE]) == 2
    captured = capsys.readouterr()
    assert "--tenant-id" in captured.err and captured.out == ""
    assert main(["site-sheet", "Chicago Plant", "--sites", EXAMPLE, "--tenant-id", TENANT.upper()]) == 0
    assert f"http://noam.ipp.sdg.teams.microsoft.com/lang_en/tenantid/{TENANT}" in capsys.readouterr().out


def test_site_without_region_is_refused_with_exit_2(tmp_path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,region\nWarehouse 7,\n")
    assert main(["site-sheet", "Warehouse 7", "--sites", str(sites)]) == 2
    captured = capsys.readouterr()
    assert "Warehouse 7" in captured.err and "has no region" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_unknown_site_lists_the_known_ones(capsys):
    assert main(["site-sheet", "Atlantis", "--sites", EXAMPLE]) == 2
    err = capsys.readouterr().err
    assert "'Atlantis' is not in" in err and "Berlin HQ, Chicago Plant, Sydney Office" in err


def test_bad_tenant_id_and_missing_file_exit_2(tmp_path, capsys):
    assert main(["site-sheet", "Chicago Plant", "--sites", EXAMPLE, "--tenant-id", "contoso"]) == 2
    assert "not a GUID" in capsys.readouterr().err
    assert main(["site-sheet", "X", "--sites", str(tmp_path / "none.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_mistyped_tenant_id_is_reported_even_for_a_site_without_bulk_sign_in(capsys):
    assert main(["site-sheet", "Berlin HQ", "--sites", EXAMPLE, "--tenant-id", "72f988bf"]) == 2
    assert "not a GUID" in capsys.readouterr().err
    assert main(["site-sheet", "Berlin HQ", "--sites", EXAMPLE, "--tenant-id", TENANT]) == 0
    assert "tenantid" not in capsys.readouterr().out
