"""Firmware versions compare numerically per component, whatever the zero padding."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from teams_sip.domain.readiness.firmware_version import parse_firmware


def v(text):
    parsed = parse_firmware(text)
    assert parsed is not None, text
    return parsed


def test_zero_padding_does_not_matter():
    assert v("8.0.5.0002") == v("8.0.5.2")
    assert hash(v("8.0.5.0002")) == hash(v("8.0.5.2"))
    assert not v("8.0.5.0002") < v("8.0.5.2")
    assert not v("8.0.5.2") < v("8.0.5.0002")


def test_components_compare_as_numbers_not_strings():
    assert v("8.0.10.0001") > v("8.0.5.0002")
    assert v("8.0.10.0001") > v("8.0.5.2")
    assert v("8.0.9.9999") < v("8.0.10.0")
    assert v("10.0") > v("9.9.9.9")


def test_adjacent_builds():
    assert v("8.0.5.0001") < v("8.0.5.0002") < v("8.0.5.0003")
    assert v("8.0.5.0002") <= v("8.0.5.2") <= v("8.0.5.0002")


def test_missing_components_count_as_zero():
    assert v("8.0.5") == v("8.0.5.0") == v("8.0.5.0000")
    assert v("8.0.5") < v("8.0.5.0001")
    assert v("8") == v("8.0.0.0")


def test_surrounding_space_and_v_prefix_are_accepted_and_kept_for_display():
    parsed = v("  v8.0.5.2 ")
    assert parsed == v("8.0.5.0002")
    assert str(parsed) == "v8.0.5.2"


@pytest.mark.parametrize(
    "text",
    ["", "  ", "8.0.5.x", "8..5", ".8.0.5", "8.0.5.", "8,0,5,2", "8.0.5.-1", "abc", "8.0.5 beta",
     "８.0.5.2", "3.71707E+11", "1.2.3.4.5.6.7.8.9", "1234567890.1"],
)
def test_what_is_not_a_version_is_refused(text):
    assert parse_firmware(text) is None


@given(st.lists(st.integers(0, 99_999), min_size=1, max_size=6), st.lists(st.integers(0, 99_999), min_size=1,
                                                                          max_size=6))
def test_order_matches_integer_tuples_padded_with_zeros(a, b):
    width = max(len(a), len(b))
    pa, pb = tuple(a) + (0,) * (width - len(a)), tuple(b) + (0,) * (width - len(b))
    va, vb = v(".".join(str(x).zfill(4) for x in a)), v(".".join(map(str, b)))
    assert (va < vb) == (pa < pb)
    assert (va == vb) == (pa == pb)


def test_spectralink_releases_order_by_number_then_letters():
    assert v("PCS22Ab") < v("PCS22B") < v("PCS22D") < v("PCS23Ca") < v("PCS24B") < v("PCS24G")
    assert v("pcs22d") == v("PCS22D") and str(v(" PCS22D ")) == "PCS22D"


def test_spectralink_releases_never_compare_with_dotted_numbers():
    assert v("PCS22D") != v("22.4")
    with pytest.raises(TypeError):
        _ = v("PCS22D") < v("22.4")
