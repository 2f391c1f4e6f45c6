"""Reading the sites file: CSV (comma or semicolon) and JSON, defaults, and refusals that list
every problem and return nothing."""

from pathlib import Path

import pytest

from teams_sip.domain.sites import Region, Site, find_site, site_key, sites_by_key
from teams_sip.importing.sites_file import SitesFileError, load_sites, parse_sites_csv, parse_sites_json

EXAMPLE = Path(__file__).resolve().parent / "sites.csv"


def test_sites_file_holds_the_three_sites():
    sites = load_sites(EXAMPLE)
    assert [(s.name, s.region, s.time_zone) for s in sites] == [
        ("Berlin HQ", Region.EMEA, "Europe/Berlin"),
        ("Chicago Plant", Region.NOAM, "America/Chicago"),
        ("Sydney Office", Region.APAC, "Australia/Sydney"),
    ]
    berlin = find_site(sites, "  berlin   hq ")
    assert berlin is not None and berlin.language == "de" and len(berlin.contacts) == 2
    chicago = find_site(sites, "Chicago Plant")
    assert chicago is not None and chicago.bulk_sign_in


def test_the_index_by_key_finds_what_find_site_finds_the_first_of_a_name_winning():
    sites = [Site("Berlin HQ", Region.EMEA), Site("berlin  hq", Region.APAC), Site("Lyon")]
    index = sites_by_key(sites)
    assert set(index) == {"berlin hq", "lyon"}
    for name in ("  BERLIN hq", "lyon", "Paris"):
        assert index.get(site_key(name)) is find_site(sites, name)
    assert index["berlin hq"].region is Region.EMEA


def test_only_the_name_is_required_and_the_rest_defaults():
    [site] = parse_sites_csv("name\nWarehouse 7\n")
    assert site == Site("Warehouse 7", None, "UTC", (), None, False)


def test_semicolon_csv_with_bom_header_spellings_and_blank_lines(tmp_path):
    path = tmp_path / "sites.csv"
    text = "Site;Region;Time_Zone;Contact;Lang;Bulk\n\nLyon;Europe;Europe/Paris;a@x.fr, b@x.fr;French;Yes\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    [site] = load_sites(path)
    assert site == Site("Lyon", Region.EMEA, "Europe/Paris", ("a@x.fr", "b@x.fr"), "fr", True)


def test_windows_excel_csv_in_cp1252_is_read(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes("name,region\nMünchen,EMEA\n".encode("cp1252"))
    assert load_sites(path)[0].name == "München"


def test_json_list_and_wrapped_forms(tmp_path):
    text = (
        '[{"name": "Sydney Office", "region": "APAC", "time zone": "Australia/Sydney",'
        ' "contacts": ["it@contoso.com"], "bulk_sign_in": true}]'
    )
    [site] = parse_sites_json(text)
    assert site == Site("Sydney Office", Region.APAC, "Australia/Sydney", ("it@contoso.com",), None, True)
    path = tmp_path / "sites.json"
    path.write_text('{"sites": [{"name": "A"}, {"name": "B", "region": "Americas"}]}')
    assert [s.region for s in load_sites(path)] == [None, Region.NOAM]


def test_every_bad_row_is_listed_and_nothing_is_returned():
    text = (
        "name,region,time zone,contacts,language,bulk sign-in\n"
        "Berlin HQ,Europa,Europe/Berlin,it@contoso.com,de,no\n"
        "Paris,EMEA,Europe/Pariss,,fr,no\n"
        ",EMEA,,,,\n"
        "Tokyo,APAC,Asia/Tokyo,not-a-mail,jp,maybe\n"
        "berlin hq,EMEA,,,,\n"
    )
    with pytest.raises(SitesFileError) as caught:
        parse_sites_csv(text, "sites.csv")
    message = str(caught.value)
    assert "sites.csv was not used" in message
    assert "row 2 (Berlin HQ): region 'Europa' is unknown" in message
    assert "row 3 (Paris): time zone 'Europe/Pariss' is unknown" in message
    assert "row 4: has no site name" in message
    assert "row 5 (Tokyo): contacts 'not-a-mail' are not mail addresses" in message
    assert "row 5 (Tokyo): language 'jp' is not offered" in message
    assert "row 5 (Tokyo): bulk sign-in 'maybe' is not yes or no" in message
    assert "row 6 (berlin hq): repeats the site name of row 2" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("\n \n", "is empty"),
        ("region,time zone\nEMEA,UTC\n", "no name column"),
        ("name,regoin\nX,EMEA\n", "unknown columns 'regoin'"),
        ("name,site\nX,Y\n", "more than one column for name"),
        ("name\n", "lists no sites"),
        ("name,region\nX,EMEA,extra\n", "has 3 cells but the header has 2"),
    ],
)
def test_csv_file_level_refusals(text, expected):
    with pytest.raises(SitesFileError, match=expected):
        parse_sites_csv(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"name": "X"}', "list of site objects"),
        ('["X"]', "list of site objects"),
        ('[{"name": "X", "zone": "UTC"}]', "unknown keys zone"),
        ('[{"name": 7}]', "name must be text, not int"),
        ('[{"name": "X", "bulk sign-in": "sometimes"}]', "not yes or no"),
        ("[]", "lists no sites"),
    ],
)
def test_json_refusals(text, expected):
    with pytest.raises(SitesFileError, match=expected):
        parse_sites_json(text)


def test_missing_and_oversized_files_are_refused(tmp_path):
    with pytest.raises(SitesFileError, match="does not exist"):
        load_sites(tmp_path / "nope.csv")
    big = tmp_path / "big.csv"
    big.write_bytes(b"name\n" + b"x" * 1_000_001)
    with pytest.raises(SitesFileError, match="larger than"):
        load_sites(big)
