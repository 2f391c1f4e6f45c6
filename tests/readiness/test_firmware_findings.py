"""The row check: below minimum is an error, unknown or unverified is a warning, never silence."""

import pytest

from teams_sip.domain.readiness.dect_systems import DECT_SYSTEMS
from teams_sip.domain.readiness.minimum_firmware import MINIMUM_FIRMWARE, Severity, firmware_findings, minimum_for


def severities(findings):
    return [finding.severity for finding in findings]


@pytest.mark.parametrize("model", ["Rove 30", "Rove 40", "Poly Rove 30", "polycom rove 40"])
@pytest.mark.parametrize("handset", ["8.0.5.0002", "8.0.5.2", "8.0.10.0001", "8.1"])
def test_rove_30_and_40_at_or_above_minimum_pass(model, handset):
    assert firmware_findings(model, handset, "8.0.5.0002") == []


@pytest.mark.parametrize("handset", ["8.0.5.0001", "8.0.5.1", "8.0.4.9999", "8.0.3", "7.99"])
def test_rove_30_below_minimum_is_an_error_naming_minimum_and_source(handset):
    [finding] = firmware_findings("Rove 30", handset, None)
    assert finding.severity is Severity.ERROR
    assert "8.0.5.0002" in finding.message
    assert "Plan for SIP Gateway" in finding.message


def test_rove_20_needs_0003_not_0002():
    [finding] = firmware_findings("Rove 20", "8.0.5.0002", None)
    assert finding.severity is Severity.ERROR
    assert "8.0.5.0003" in finding.message
    assert firmware_findings("Rove 20", "8.0.5.3", None) == []
    assert firmware_findings("Rove 20", "8.0.10.0001", None) == []


@pytest.mark.parametrize("model", ["Rove 20", "Rove 30", "B1", "Rove B2", "Poly Rove B4"])
def test_rove_base_below_minimum_is_an_error_whatever_the_model_column(model):
    findings = firmware_findings(model, None, "8.0.5.0001")
    assert severities(findings) == [Severity.ERROR]
    assert "Base firmware" in findings[0].message


def test_base_model_with_handset_firmware_between_the_rove_minimums_warns_about_rove_20():
    [finding] = firmware_findings("B4", "8.0.5.0002", "8.0.5.0002")
    assert finding.severity is Severity.WARNING
    assert "Rove 20" in finding.message
    assert firmware_findings("B4", "8.0.5.0003", "8.0.5.0002") == []
    assert severities(firmware_findings("B4", "8.0.5.0001", None)) == [Severity.ERROR]


def test_handset_and_base_both_low_give_two_errors():
    assert severities(firmware_findings("Rove 40", "8.0.4", "8.0.4")) == [Severity.ERROR, Severity.ERROR]


@pytest.mark.parametrize("model", ["Cisco 7841", "Poly VVX 450", "Panasonic KX-TGP600", "30", "?"])
def test_unknown_model_is_a_warning_never_a_silent_pass(model):
    for handset in (None, "8.0.5.0002", "1.0"):
        [finding] = firmware_findings(model, handset, None)
        assert finding.severity is Severity.WARNING
        assert "not in teams-sip's DECT systems table" in finding.message and "supported" not in finding.message


@pytest.mark.parametrize(
    ("model", "handset", "base", "minimum"),
    [
        ("Spectralink 7742", "PCS22A", None, "PCS22B"),
        ("Spectralink S35", "PCS23C", None, "PCS23Ca"),
        ("Spectralink IP-DECT Server 6500", None, "PCS22A", "PCS22Ab"),
        ("Ascom d63", "2.11.3", None, "2.11.4"),
        ("Ascom d81", "4.13.0", None, "4.13.1"),
        ("Ascom d83", "1.3.1", None, "1.3.2"),
        ("Ascom IPBS3", None, "11.8.7", "11.8.8"),
        ("Gigaset N870 IP PRO", None, "2.51.9", "2.52.0"),
        ("Gigaset N610", None, "2.51", "2.52.0"),
        ("Gigaset N870 VI PRO", None, "2.5", "2.52.0"),
    ],
)
def test_microsofts_minimums_for_the_other_dect_vendors_are_enforced(model, handset, base, minimum):
    [finding] = firmware_findings(model, handset, base)
    assert finding.severity is Severity.ERROR and minimum in finding.message
    at_minimum = (minimum if handset else None, minimum if base else None)
    assert firmware_findings(model, *at_minimum) == []


@pytest.mark.parametrize(("model", "approved"), [("Yealink W73H", "116.85.0.38"), ("Yealink W56H", "61.85.0.56"),
                                                  ("Yealink W59R", "115.85.0.56")])
def test_yealink_has_approved_versions_as_guidance_only(model, approved):
    [note] = firmware_findings(model, None, None)
    assert note.severity is Severity.WARNING and "no minimum" in note.message and approved in note.message
    [below] = firmware_findings(model, "1.0", None)
    assert below.severity is Severity.WARNING and "guidance" in below.message
    assert firmware_findings(model, approved, None) == []


def test_yealink_bases_are_judged_by_the_lowest_regional_approved_version():
    assert firmware_findings("Yealink W70B", None, "146.85.5.2") == []
    [below] = firmware_findings("Yealink W80B", None, "130.85.5.3")
    assert below.severity is Severity.WARNING and "130.85.5.4 APAC" in below.message


@pytest.mark.parametrize("model", ["Yealink W60B", "Yealink W53H", "Spectralink IP-DECT Server 200", "Snom M70",
                                   "Snom"])
def test_models_not_on_microsofts_list_are_flagged_never_presented_as_supported(model):
    for args in ((None, None), ("1.0", None), ("1.0", "2.0")):
        [finding] = firmware_findings(model, *args)
        assert finding.severity is Severity.WARNING
        assert "compatible-device list" in finding.message


def test_gigaset_pro_handsets_are_listed_without_a_minimum():
    assert firmware_findings("Gigaset S700H", None, None) == []
    [finding] = firmware_findings("Gigaset S700H", "1.0", None)
    assert finding.severity is Severity.WARNING and "no minimum" in finding.message


def test_a_spectralink_version_typed_as_numbers_is_an_error():
    [finding] = firmware_findings("Spectralink 7742", "22.4", None)
    assert finding.severity is Severity.ERROR and "PCS22B" in finding.message


@pytest.mark.parametrize("text", ["8.0.5.x", "latest", "3.71707E+11"])
def test_unreadable_firmware_is_an_error_not_a_guess(text):
    [finding] = firmware_findings("Rove 30", text, None)
    assert finding.severity is Severity.ERROR
    assert "not a version number" in finding.message


def test_no_model_and_no_firmware_is_nothing_to_check():
    assert firmware_findings(None, None, None) == []
    assert firmware_findings("  ", "", " ") == []


def test_firmware_without_model_warns():
    assert severities(firmware_findings(None, "8.0.5.0002", None)) == [Severity.WARNING]
    assert severities(firmware_findings("", None, "8.0.5.0002")) == [Severity.WARNING]


def test_known_rove_model_without_firmware_columns_is_not_flagged():
    assert firmware_findings("Rove 30", None, None) == []


def test_table_holds_the_plan_articles_values_with_their_source():
    rove_20 = minimum_for("Poly Rove", "Rove 20")
    assert rove_20 is not None and rove_20.version == "8.0.5.0003"
    for model in ("B1", "B2", "B4", "Rove 30", "Rove 40"):
        row = minimum_for("Poly Rove", model)
        assert row is not None and row.version == "8.0.5.0002"
        assert "Plan for SIP Gateway" in (row.source or "")
    expected = {("Spectralink", "7212"): ("PCS22B", "PCS22D"), ("Spectralink", "S37"): ("PCS23Ca", "PCS24G"),
                ("Spectralink", "IP-DECT Server 400"): ("PCS22Ab", "PCS24B"), ("Ascom", "d43"): ("2.11.4", "3.0.8"),
                ("Ascom", "d81"): ("4.13.1", "4.17.3"), ("Ascom", "d83"): ("1.3.2", "1.5.5"),
                ("Ascom", "IPBS2"): ("11.8.8", "11.9.11"), ("Gigaset", "N870E IP PRO"): ("2.52.0", "2.52.0"),
                ("Yealink", "W57R"): (None, "118.85.0.27")}
    for (vendor, model), (minimum, approved) in expected.items():
        row = minimum_for(vendor, model)
        assert row is not None and row.listed and (row.version, row.approved) == (minimum, approved), row


def test_every_row_is_either_sourced_and_parseable_or_has_no_minimum():
    for row in MINIMUM_FIRMWARE:
        assert (row.version is None) == (row.source is None), row
        assert row.verified == (row.minimum is not None), row
        assert row.listed or row.approved is None, row
    without = {row.vendor for row in MINIMUM_FIRMWARE if row.listed and not row.verified}
    assert without == {"Yealink", "Gigaset"}  # Yealink: approved only; Gigaset: PRO handsets, over the air
    assert {row.vendor for row in MINIMUM_FIRMWARE if not row.listed} == {"Spectralink", "Yealink", "Snom"}


def test_table_covers_every_model_of_every_system_exactly_once():
    listed = [(row.vendor, row.model) for row in MINIMUM_FIRMWARE]
    assert len(listed) == len(set(listed))
    expected = {(s.vendor, m) for s in DECT_SYSTEMS for m in (*s.bases, *s.handsets)}
    assert set(listed) == expected
