"""Every region × suffix combination of the provisioning URL, and the handset file name."""

import itertools

import pytest

from teams_sip.domain.readiness.provisioning_url import (
    LANGUAGES,
    handset_config_file,
    parse_language,
    parse_tenant_id,
    provisioning_url,
)
from teams_sip.domain.sites import Region
from teams_sip.errors import InputError

TENANT = "72F988BF-86F1-41AF-91AB-2D7CD011DB47"
HOSTS = {
    Region.APAC: "http://apac.ipp.sdg.teams.microsoft.com",
    Region.EMEA: "http://emea.ipp.sdg.teams.microsoft.com",
    Region.NOAM: "http://noam.ipp.sdg.teams.microsoft.com",
}


@pytest.mark.parametrize(
    ("region", "language", "tenant"),
    list(itertools.product(list(Region), [None, *LANGUAGES], [None, TENANT])),
)
def test_every_region_language_and_tenant_combination(region, language, tenant):
    url = provisioning_url(region, language, tenant)
    expected = HOSTS[region]
    if language is not None:
        expected += f"/lang_{language}"
    if tenant is not None:
        expected += f"/tenantid/{TENANT.lower()}"
    assert url == expected


def test_plain_region_url_is_exactly_the_documented_server():
    assert provisioning_url(Region.NOAM) == "http://noam.ipp.sdg.teams.microsoft.com"


@pytest.mark.parametrize(
    ("text", "code"),
    [("de", "de"), ("DE", "de"), (" de-DE ", "de"), ("pt_BR", "pt"), ("Japanese", "ja"), ("french", "fr")],
)
def test_language_spellings_admins_use(text, code):
    assert parse_language(text) == code
    assert provisioning_url(Region.EMEA, text).endswith(f"/lang_{code}")


@pytest.mark.parametrize("text", ["it", "Klingon", "", "d", "e n"])
def test_language_the_gateway_does_not_offer_is_refused_with_the_list(text):
    assert parse_language(text) is None
    with pytest.raises(InputError, match="en, es, ja, de, fr, pt"):
        provisioning_url(Region.EMEA, text)


@pytest.mark.parametrize("text", ["", "not-a-guid", "72f988bf-86f1-41af-91ab", "72f988bf86f141af91ab2d7cd011db4z"])
def test_bad_tenant_id_is_refused(text):
    with pytest.raises(InputError, match="not a GUID"):
        provisioning_url(Region.APAC, None, text)


def test_tenant_id_is_normalised_to_lower_case_dashed_form():
    assert parse_tenant_id("{72F988BF86F141AF91AB2D7CD011DB47}") == TENANT.lower()


def test_handset_file_follows_the_00_ipei_template():
    assert handset_config_file("03717c0e0a") == "0003717C0E0A.cfg"
    assert handset_config_file(" 0DEADBEEF4 ") == "000DEADBEEF4.cfg"


@pytest.mark.parametrize("text", ["03717C0E0", "03717C0E0AB", "03717C0E0G", "", "14103 0790026 0"])
def test_handset_file_refuses_anything_but_ten_hex_digits(text):
    with pytest.raises(InputError, match="10-hex-digit IPEI"):
        handset_config_file(text)
