"""The site block: the URL each site needs, Rove base settings in web-UI order, DHCP options, and
refusals for sites that cannot be provisioned."""

from datetime import UTC, date, datetime

import pytest

from teams_sip.domain.readiness.rove_base import RoveRelease, rove_base_settings
from teams_sip.domain.readiness.site_block import (
    SiteNotReadyError,
    render_site_block,
    site_block_items,
    site_provisioning_url,
)
from teams_sip.domain.sites import Region, Site
from teams_sip.domain.worksheets import Worksheet, render_html
from teams_sip.errors import TeamsSipError

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def items(site, tenant=None):
    return dict(site_block_items(site, tenant))


def test_block_for_a_plain_site():
    site = Site("Sydney Office", Region.APAC, "Australia/Sydney")
    block = items(site)
    assert block["Provisioning URL"] == "http://apac.ipp.sdg.teams.microsoft.com"
    assert block["Site"] == "Sydney Office (APAC, time zone Australia/Sydney)"
    assert block["Bulk sign-in"] == "not used at this site"
    assert block["Poly Rove handsets request"].startswith("00${IPEI}.cfg")
    assert "field practice, not a Microsoft rule" in block["Poly Rove handsets request"]
    assert block["Handset hardware id in Teams"].startswith("Poly Rove: ")
    assert block["Poly Rove base: ITSP provisioning > ConfigUrl"] == "http://apac.ipp.sdg.teams.microsoft.com"
    assert block["Poly Rove base: Firmware update > BaseFw"] == "8.0.5.0002"


@pytest.mark.parametrize("region", list(Region))
@pytest.mark.parametrize("language", [None, "de", "ja"])
@pytest.mark.parametrize("bulk", [False, True])
def test_site_url_carries_language_and_tenant_only_when_the_site_needs_them(region, language, bulk):
    site = Site("X", region, language=language, bulk_sign_in=bulk)
    url = site_provisioning_url(site, TENANT)
    assert url.startswith(f"http://{region.value.lower()}.ipp.sdg.teams.microsoft.com")
    assert (f"/lang_{language}" in url) == (language is not None)
    assert (f"/tenantid/{TENANT}" in url) == bulk


def test_site_without_region_is_refused_with_what_to_add():
    site = Site("Warehouse 7")
    with pytest.raises(SiteNotReadyError) as caught:
        render_site_block(site, TENANT)
    assert isinstance(caught.value, TeamsSipError)
    message = str(caught.value)
    assert "Warehouse 7" in message and "no region" in message and "APAC, EMEA, NOAM" in message


def test_bulk_sign_in_site_without_tenant_id_is_refused():
    site = Site("Chicago Plant", Region.NOAM, bulk_sign_in=True)
    for tenant in (None, "", "  "):
        with pytest.raises(SiteNotReadyError, match="tenant id"):
            site_block_items(site, tenant)


def test_bad_language_in_site_record_is_refused_not_dropped():
    with pytest.raises(TeamsSipError, match="Klingon"):
        render_site_block(Site("X", Region.EMEA, language="Klingon"), None)


def test_rove_base_settings_in_web_ui_order_and_unknowns_say_so():
    settings = rove_base_settings("http://emea.ipp.sdg.teams.microsoft.com")
    assert [s.name for s in settings] == [
        "Method", "Interval", "ConfigUrl", "FirmwareServer", "FirmwarePath", "BaseFw", "FwBranch"
    ]
    assert [s.section for s in settings[:3]] == ["ITSP provisioning"] * 3
    shown = {s.name: s.shown() for s in settings}
    assert shown["ConfigUrl"] == "http://emea.ipp.sdg.teams.microsoft.com"
    assert shown["Method"].startswith("Static (unverified")
    for name in ("Interval", "FirmwareServer", "FirmwarePath", "FwBranch"):
        assert shown[name].startswith("(not known to teams-sip"), name


def test_an_approved_release_fills_the_firmware_settings():
    release = RoveRelease("8.0.10.0001", "http://fw.example.net", "rove/8.0.10", "stable")
    shown = {s.name: s.shown() for s in rove_base_settings("http://x", release)}
    assert shown["FirmwareServer"] == "http://fw.example.net"
    assert shown["FirmwarePath"] == "rove/8.0.10"
    assert shown["BaseFw"] == "8.0.10.0001"
    assert shown["FwBranch"] == "stable"


def test_desk_phone_dhcp_options_per_vendor():
    block = items(Site("Berlin HQ", Region.EMEA, language="de"))
    url = "http://emea.ipp.sdg.teams.microsoft.com/lang_de"
    assert block["Desk phones: DHCP option 160"] == f"AudioCodes, Poly: {url}; Cisco: {url}/$PSN.xml"
    assert block["Desk phones: DHCP option 66"] == f"Alcatel-Lucent Enterprise, Yealink: {url}"


def test_minimum_firmware_line_and_text_lines_match_items():
    site = Site("Berlin HQ", Region.EMEA)
    block = items(site)
    assert "Rove 20: 8.0.5.0003 or later" in block["Minimum firmware"]
    for figure in ("Spectralink 7202 to 7742 (9 models): PCS22B", "d81: 4.13.1", "N870 VI PRO: 2.52.0",
                   "Yealink: no minimum listed", "not on Microsoft's compatible-device list"):
        assert figure in block["Minimum firmware"], figure
    assert render_site_block(site, None) == [f"{k}: {v}" for k, v in site_block_items(site, None)]


def test_block_plugs_into_the_html_worksheet_escaped():
    site = Site("<script>alert(1)</script>", Region.EMEA)
    sheet = Worksheet(
        site=site.name,
        install_date=date(2026, 3, 9),
        time_zone="Europe/Berlin",
        lines=(),
        generated_at=datetime(2026, 3, 9, 6, 0, tzinfo=UTC),
        site_block=tuple(render_site_block(site, None)),
    )
    page = render_html(sheet)
    assert "<script>" not in page
    assert "http://emea.ipp.sdg.teams.microsoft.com" in page
    assert "Poly Rove base: ITSP provisioning &gt; ConfigUrl" in page


def test_blank_language_on_a_site_means_no_language_suffix():
    assert site_provisioning_url(Site("X", Region.EMEA, language=""), None) == "http://emea.ipp.sdg.teams.microsoft.com"
