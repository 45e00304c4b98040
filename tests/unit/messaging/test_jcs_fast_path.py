"""The JCS fast path must agree byte for byte with the reference rfc8785 implementation."""

from __future__ import annotations

from enum import StrEnum

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.messaging.jcs import _plain, canonical

keys = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400)
@given(json_values)
def test_fast_path_equals_reference(value: object) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=2000)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_equal_the_reference(number: float) -> None:
    assert canonical({"n": number}) == rfc8785.dumps({"n": number})
    assert canonical([number, "x"]) == rfc8785.dumps([number, "x"])


@settings(max_examples=2000)
@given(
    st.floats(min_value=1e-4, max_value=1e16, exclude_max=True)
    | st.floats(min_value=-1e16, max_value=-1e-4, exclude_min=True)
)
def test_fractional_floats_in_the_fixed_range_take_the_fast_path(number: float) -> None:
    assert _plain({"n": number}) is not number.is_integer()
    assert canonical({"n": number}) == rfc8785.dumps({"n": number})


def test_floats_outside_the_fixed_range_or_whole_use_the_reference() -> None:
    for number in (12.0, -0.0, 0.0, 1e16, 1e21, 1e-5, 9.5e-5, 1.5e300, 5e-324, 2.0**60):
        assert not _plain({"n": number})
        assert canonical({"n": number}) == rfc8785.dumps({"n": number})
    for number in (0.0001, 0.1, 12.5, 1234.5678, 9999999999999998.5 - 0.5 + 0.25):
        assert _plain({"n": number}) is not number.is_integer()
        assert canonical({"n": number}) == rfc8785.dumps({"n": number})


def test_astral_keys_sort_by_utf16_code_units() -> None:
    value = {"\U0001f600": 1, "\ufb33": 2}
    assert not _plain(value)
    # U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16
    assert canonical(value) == '{"\U0001f600":1,"\ufb33":2}'.encode()


def test_controls_are_escaped_like_rfc8785() -> None:
    value = {"s": '\x00\x08\t\n\x0b\x0c\r\x1f\x7f/\\"\u2028'}
    assert canonical(value) == rfc8785.dumps(value)
    assert b"\\u000b" in canonical(value)


def test_str_enums_take_the_fast_path_and_print_their_text() -> None:
    class Lane(StrEnum):
        GREEN = "green"

    value = {"lane": Lane.GREEN, "lanes": [Lane.GREEN, "red"]}
    assert _plain(value)
    assert canonical(value) == rfc8785.dumps({"lane": "green", "lanes": ["green", "red"]})
