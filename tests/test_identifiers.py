"""Handset identifiers: the worked examples of docs/microsoft.md (SIP Gateway section), every accepted
form, damage and ambiguity."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teams_sip.domain.identifiers import EMC_MAX, PSN_MAX, DeviceIdentity, IdKind, check_digit, parse_identifier

WORKED = [  # docs/microsoft.md, "SIP Gateway: provisioning, ..." (IPEI)
    ("0DEADBEEF4", "57005 0782068 7", "000DEADBEEF4"),
    ("0004D5F980", "00077 0391552 8", "000004D5F980"),
    ("03717C0E0A", "14103 0790026 0", "0003717C0E0A"),
]


@pytest.mark.parametrize(("hex_form", "spaced", "hardware_id"), WORKED)
def test_worked_examples_both_directions(hex_form: str, spaced: str, hardware_id: str) -> None:
    from_hex = parse_identifier(hex_form).identity
    from_decimal = parse_identifier(spaced).identity
    assert from_hex == from_decimal
    assert from_hex is not None
    assert from_hex.kind is IdKind.IPEI
    assert from_hex.ipei_spaced == spaced
    assert from_hex.ipei_hex == hex_form
    assert from_hex.hardware_id == hardware_id


def test_teams_dashed_form_of_an_ipei() -> None:
    identity = parse_identifier("03717C0E0A").identity
    assert identity is not None and identity.dashed == "00-03-71-7C-0E-0A"


@pytest.mark.parametrize("text", ["0deadbeef4", " 0DEADBEEF4 ", "0x0DEADBEEF4", "0X0deadbeef4", "0DEA-DBEE-F4",
                                  "0D:EA:DB:EE:F4", "0DEA.DBEE.F4", "5700507820687", "57005 07820687",
                                  "570050782068"])
def test_hex_and_decimal_ipei_spellings(text: str) -> None:
    result = parse_identifier(text, IdKind.IPEI)
    assert result.identity is not None, result.reason
    assert result.identity.hardware_id == "000DEADBEEF4"


def test_star_check_digit() -> None:
    identity = DeviceIdentity.from_ipei(1230, 5000)
    assert identity.ipei_decimal == "012300005000*"
    assert parse_identifier("01230 0005000 *").identity == identity
    assert parse_identifier("01230 0005000 1").reason is not None


@given(st.integers(0, EMC_MAX), st.integers(0, PSN_MAX))
def test_hex_decimal_hex_round_trip(emc: int, psn: int) -> None:
    identity = DeviceIdentity.from_ipei(emc, psn)
    decimal = parse_identifier(identity.ipei_decimal or "").identity
    assert decimal == identity
    spaced = parse_identifier(identity.ipei_spaced or "").identity
    assert spaced == identity
    back = parse_identifier((decimal.ipei_hex or "") if decimal else "").identity
    assert back == identity
    assert back is not None and back.hardware_id == "00" + f"0{emc:04X}{psn:05X}"


@given(st.integers(0, EMC_MAX), st.integers(0, PSN_MAX), st.integers(0, 9))
def test_wrong_check_digit_is_always_rejected(emc: int, psn: int, digit: int) -> None:
    decimal = DeviceIdentity.from_ipei(emc, psn).ipei_decimal or ""
    wrong = str(digit)
    if wrong == decimal[12]:
        wrong = "*" if decimal[12] != "*" else "0"
    result = parse_identifier(decimal[:12] + wrong)
    assert result.identity is None and "check digit" in (result.reason or "")


def test_check_digit_rule() -> None:
    assert check_digit("570050782068") == "7"
    assert check_digit("000770391552") == "8"


@pytest.mark.parametrize("text", ["00:04:F2:AB:CD:01", "00-04-f2-ab-cd-01", "0004.F2AB.CD01", "0004F2ABCD01"])
def test_mac_spellings(text: str) -> None:
    identity = parse_identifier(text).identity
    assert identity is not None and identity.kind is IdKind.MAC
    assert identity.hardware_id == "0004F2ABCD01" and identity.ipei_hex is None and identity.ipei_decimal is None


@pytest.mark.parametrize(("text", "word"), [("00:00:00:00:00:00", "all-zero"), ("FF-FF-FF-FF-FF-FF", "broadcast"),
                                            ("01:00:5E:10:20:30", "multicast"), ("33-33-00-00-00-01", "multicast")])
def test_unusable_macs_rejected(text: str, word: str) -> None:
    result = parse_identifier(text)
    assert result.identity is None and word in (result.reason or "")


def test_scientific_notation_with_lost_digits_is_rejected() -> None:
    for text in ("3.71707E+11", "3,71707E+11", "3.717E+104"):
        result = parse_identifier(text)
        assert result.identity is None and "scientific notation" in (result.reason or ""), text


def test_scientific_notation_with_every_digit_is_repaired_with_warning() -> None:
    result = parse_identifier("5.700507820687E+12")
    assert result.identity is not None and result.identity.hardware_id == "000DEADBEEF4"
    assert any("scientific notation" in w for w in result.warnings)


def test_trailing_point_zero_removed_with_warning() -> None:
    result = parse_identifier("5700507820687.0")
    assert result.identity is not None and result.identity.ipei_hex == "0DEADBEEF4"
    assert any(".0" in w for w in result.warnings)


def test_lost_leading_zeros_repaired_only_when_check_digit_verifies() -> None:
    repaired = parse_identifier("7703915528")  # 00077 0391552 8 stored as a number
    assert repaired.identity is not None and repaired.identity.ipei_hex == "0004D5F980"
    assert any("leading zero" in w for w in repaired.warnings)
    broken = parse_identifier("7703915527")
    assert broken.identity is None and "leading zeros" in (broken.reason or "")


def test_twelve_digits_ambiguous_without_a_declared_kind() -> None:
    text = "141030790026"  # decimal IPEI 14103 0790026 without check digit, or MAC 14:10:30:79:00:26
    undecided = parse_identifier(text)
    assert undecided.identity is None and "ambiguous" in (undecided.reason or "")
    as_ipei = parse_identifier(text, IdKind.IPEI)
    assert as_ipei.identity is not None and as_ipei.identity.ipei_hex == "03717C0E0A" and as_ipei.warnings
    as_mac = parse_identifier(text, IdKind.MAC)
    assert as_mac.identity is not None and as_mac.identity.kind is IdKind.MAC and as_mac.warnings
    assert as_mac.identity.hardware_id == "141030790026"


def test_twelve_digits_that_could_be_a_thirteen_digit_ipei_missing_its_zero_are_rejected() -> None:
    identity = DeviceIdentity.from_ipei(1234, 5679)  # decimal 01234 0005679 8 starts with 0
    text = (identity.ipei_decimal or "").lstrip("0")
    assert len(text) == 12 and text.isdigit()
    result = parse_identifier(text, IdKind.IPEI)
    assert result.identity is None and "lost its leading zero" in (result.reason or "")


def test_teams_hardware_id_in_an_ipei_column_reads_back_as_the_ipei() -> None:
    result = parse_identifier("00-03-71-7C-0E-0A", IdKind.IPEI)
    assert result.identity is not None and result.identity.kind is IdKind.IPEI
    assert result.identity.ipei_spaced == "14103 0790026 0"


@pytest.mark.parametrize(("text", "word"), [("", "empty"), ("1037A0C1E8", "RFPI"), ("0DEADBEEG4", "not hex"),
                                            ("0DEADBEEF", "digits"), ("70000 0000000 0", "manufacturer"),
                                            ("0x0DEADBEE", "10 hex"), ("00001 2000000 5", "serial")])
def test_precise_reasons(text: str, word: str) -> None:
    result = parse_identifier(text)
    assert result.identity is None and word in (result.reason or ""), result.reason


@given(st.text(max_size=40))
def test_never_crashes_on_arbitrary_text(text: str) -> None:
    result = parse_identifier(text)
    assert (result.identity is None) == (result.reason is not None)
    if result.identity is not None:
        assert len(result.identity.hardware_id) == 12
        assert int(result.identity.hardware_id, 16) >= 0
