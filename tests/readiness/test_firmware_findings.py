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
        assert "not in the supported DECT systems table" in finding.message


@pytest.mark.parametrize("model", ["Yealink W73H", "Spectralink 7742", "Ascom d63", "Gigaset N870", "Yealink"])
def test_known_vendor_without_documented_minimum_warns_once(model):
    for args in ((None, None), ("1.0", None), ("1.0", "2.0")):
        [finding] = firmware_findings(model, *args)
        assert finding.severity is Severity.WARNING
        assert "no verified minimum firmware" in finding.message


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


def test_table_holds_reference_values_with_their_source():
    rove_20 = minimum_for("Poly Rove", "Rove 20")
    assert rove_20 is not None and rove_20.version == "8.0.5.0003"
    for model in ("B2", "B4", "Rove 30", "Rove 40"):
        row = minimum_for("Poly Rove", model)
        assert row is not None and row.version == "8.0.5.0002"
        assert "Plan for SIP Gateway" in (row.source or "")


def test_every_row_is_either_sourced_and_parseable_or_marked_unverified():
    for row in MINIMUM_FIRMWARE:
        assert (row.version is None) == (row.source is None), row
        assert row.verified == (row.minimum is not None), row
    unverified_vendors = {row.vendor for row in MINIMUM_FIRMWARE if not row.verified}
    assert unverified_vendors == {s.vendor for s in DECT_SYSTEMS} - {"Poly Rove"}


def test_table_covers_every_model_of_every_system_exactly_once():
    listed = [(row.vendor, row.model) for row in MINIMUM_FIRMWARE]
    assert len(listed) == len(set(listed))
    expected = {(s.vendor, m) for s in DECT_SYSTEMS for m in (*s.bases, *s.handsets)}
    assert set(listed) == expected
