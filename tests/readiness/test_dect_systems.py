"""The supported-systems table: every vendor the issue names, and where each shows its identifier."""

import pytest

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS, DeviceKind, Place, find_model, identifier_help


def system(vendor):
    return next(s for s in DECT_SYSTEMS if s.vendor == vendor)


def test_required_vendors_and_rove_models_are_present():
    vendors = {s.vendor for s in DECT_SYSTEMS}
    assert {"Poly Rove", "Spectralink", "Ascom", "Gigaset", "Yealink"} <= vendors
    rove = system("Poly Rove")
    assert rove.bases == ("B1", "B2", "B4")
    assert rove.handsets == ("Rove 20", "Rove 30", "Rove 40")


def test_every_system_says_where_to_find_the_identifier_in_all_three_places():
    for s in DECT_SYSTEMS:
        assert {hint.place for hint in s.hints} == set(Place), s.vendor
        assert s.identifier_form and s.example and s.source
        help_text = identifier_help(s)
        assert s.example in help_text
        assert "label" in help_text and "handset menu" in help_text and "base web page" in help_text


def test_reference_identifier_forms():
    assert "lower case" in system("Gigaset").identifier_form
    assert system("Snom").example.startswith("0x")
    assert "decimal" in system("Spectralink").identifier_form


@pytest.mark.parametrize(
    ("text", "vendor", "model", "kind"),
    [
        ("Rove 30", "Poly Rove", "Rove 30", DeviceKind.HANDSET),
        ("POLY ROVE 20", "Poly Rove", "Rove 20", DeviceKind.HANDSET),
        ("Polycom Rove 40", "Poly Rove", "Rove 40", DeviceKind.HANDSET),
        ("b4", "Poly Rove", "B4", DeviceKind.BASE),
        ("Rove B1", "Poly Rove", "B1", DeviceKind.BASE),
        ("Poly Rove B2", "Poly Rove", "B2", DeviceKind.BASE),
        ("Yealink W73H", "Yealink", "W73H", DeviceKind.HANDSET),
        ("w60b", "Yealink", "W60B", DeviceKind.BASE),
        ("Gigaset N870", "Gigaset", "N870 IP PRO", DeviceKind.BASE),
        ("Gigaset N870E IP PRO", "Gigaset", "N870E IP PRO", DeviceKind.BASE),
        ("Gigaset S700H", "Gigaset", "S700H PRO", DeviceKind.HANDSET),
        ("Yealink W80B", "Yealink", "W80", DeviceKind.BASE),
        ("Spectralink S33", "Spectralink", "S33", DeviceKind.HANDSET),
        ("Spectralink 7742", "Spectralink", "7742", DeviceKind.HANDSET),
        ("Ascom d63", "Ascom", "d63", DeviceKind.HANDSET),
        ("Spectralink 9999", "Spectralink", None, None),
        ("Rove 99", "Poly Rove", None, None),
    ],
)
def test_model_column_spellings(text, vendor, model, kind):
    match = find_model(text)
    assert match is not None
    assert (match.system.vendor, match.model, match.kind) == (vendor, model, kind)


@pytest.mark.parametrize("text", ["", "30", "Poly VVX 450", "Poly", "Cisco 7841", "DECT"])
def test_unknown_or_ambiguous_models_are_not_matched(text):
    assert find_model(text) is None


def test_the_00_plus_ipei_rule_is_said_per_vendor_as_field_practice():
    assert "field practice for Poly Rove" in identifier_help(system("Poly Rove"))
    for vendor in ("Spectralink", "Ascom", "Gigaset", "Yealink", "Snom"):
        text = identifier_help(system(vendor))
        assert "no known rule" in text and "Microsoft rule" not in text, vendor
