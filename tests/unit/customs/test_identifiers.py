"""Identifier validators: ISO 6346 containers, Russian INN, India IEC and GSTIN, HS code formats."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.customs.domain.identifiers import (
    PAN_HOLDER_TYPES,
    gstin_check_character,
    gstin_error,
    hs_format_error,
    iec_error,
    inn_error,
)
from corridor.shared.iso6346 import container_number_error, iso6346_check_digit

# --- ISO 6346 ---------------------------------------------------------------------------------


def test_iso6346_standard_example() -> None:
    # CSQU3054383 is the worked example of ISO 6346 (check digit 3).
    assert iso6346_check_digit("CSQU305438") == 3
    assert container_number_error("CSQU3054383") is None


@pytest.mark.parametrize(
    ("first10", "digit"),
    [
        # Computed by hand with A=10, B=12, ... (multiples of 11 skipped), weights 2**i.
        ("MAEU123456", 7),
        ("MSCU123456", 6),
        ("TGHU123456", 7),
        ("ABCU000000", 1),  # 10*1 + 12*2 + 13*4 + 32*8 = 342; 342 % 11 = 1
    ],
)
def test_iso6346_check_digit_values(first10: str, digit: int) -> None:
    assert iso6346_check_digit(first10) == digit


def test_iso6346_remainder_ten_gives_zero() -> None:
    # Letters and digits chosen so that the weighted sum is 10 mod 11; the check digit is then 0.
    candidates = [f"AAAU{n:06d}" for n in range(200)]
    ten = [c for c in candidates if _weighted_sum(c) % 11 == 10]
    assert ten, "the search range must contain a remainder-10 serial"
    for c in ten:
        assert iso6346_check_digit(c) == 0
        assert container_number_error(c + "0") is None


def _weighted_sum(first10: str) -> int:
    values: dict[str, int] = {}
    v = 10
    for letter in string.ascii_uppercase:
        if v % 11 == 0:
            v += 1
        values[letter] = v
        v += 1
    values.update({d: int(d) for d in string.digits})
    return sum(values[c] * 2**i for i, c in enumerate(first10))


def test_letter_values_skip_multiples_of_eleven() -> None:
    # K would be 21 and L 22 without the skip; with it K=21, L=23, and U=32, V=34.
    assert _weighted_sum("K") == 21
    assert _weighted_sum("L") == 23
    assert _weighted_sum("V") == 34
    assert iso6346_check_digit("LLLU000000") == (23 + 46 + 92 + 32 * 8) % 11 % 10


@pytest.mark.parametrize(
    ("value", "reason_part"),
    [
        ("CSQU3054384", "check digit is 4, expected 3"),
        ("CSQU305438", "must be 11 characters"),
        ("CSQU30543833", "must be 11 characters"),
        ("", "must be 11 characters"),
        ("csqu3054383", "owner code"),
        ("C5QU3054383", "owner code"),
        ("CSQX3054383", "category identifier"),
        ("CSQR3054383", "category identifier"),
        ("CSQU30543A3", "serial number"),
        ("CSQU３054383", "serial number"),  # full-width digit is not an ASCII digit
        ("CSQU305438X", "check digit 'X' must be a digit"),
    ],
)
def test_container_number_errors(value: str, reason_part: str) -> None:
    reason = container_number_error(value)
    assert reason is not None
    assert reason_part in reason


def test_container_categories_j_and_z_are_accepted() -> None:
    for category in "JZ":
        first10 = f"CSQ{category}305438"
        assert container_number_error(first10 + str(iso6346_check_digit(first10))) is None


def test_check_digit_rejects_bad_prefix() -> None:
    with pytest.raises(ValueError, match="category"):
        iso6346_check_digit("CSQA305438")
    with pytest.raises(ValueError, match="10 characters"):
        iso6346_check_digit("CSQU30543")


owners = st.text(alphabet=string.ascii_uppercase, min_size=3, max_size=3)
categories = st.sampled_from("UJZ")
serials = st.text(alphabet=string.digits, min_size=6, max_size=6)


@given(owner=owners, category=categories, serial=serials, wrong=st.integers(min_value=1, max_value=9))
def test_appended_check_digit_is_valid_and_any_other_is_not(
    owner: str, category: str, serial: str, wrong: int
) -> None:
    first10 = owner + category + serial
    digit = iso6346_check_digit(first10)
    assert 0 <= digit <= 9
    assert container_number_error(f"{first10}{digit}") is None
    other = (digit + wrong) % 10
    reason = container_number_error(f"{first10}{other}")
    assert reason == f"check digit is {other}, expected {digit}"


# --- Russian INN ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inn",
    [
        "7707083893",  # PAO Sberbank
        "7736050003",  # PAO Gazprom
        "7728168971",  # AO Alfa-Bank
        "500100732259",  # individual INN used as the FTS sample
    ],
)
def test_valid_inns(inn: str) -> None:
    assert inn_error(inn) is None


@pytest.mark.parametrize(
    ("inn", "reason"),
    [
        ("7707083894", "check digit is 4, expected 3"),
        ("7736050004", "check digit is 4, expected 3"),
        ("500100732269", "11th digit (first check digit) is 6, expected 5"),
        ("500100732258", "12th digit (second check digit) is 8, expected 9"),
        ("770708389", "must be 10 digits (legal entity) or 12 digits (individual), got 9"),
        ("77070838931", "must be 10 digits (legal entity) or 12 digits (individual), got 11"),
        ("770708389A", "must contain digits only"),
        ("", "must contain digits only"),
        (" 7707083893", "must contain digits only"),
    ],
)
def test_invalid_inns(inn: str, reason: str) -> None:
    assert inn_error(inn) == reason


# --- India IEC --------------------------------------------------------------------------------


@pytest.mark.parametrize("iec", ["AAACR5055K", "ABCPE1234F", "0388008911"])
def test_valid_iecs(iec: str) -> None:
    assert iec_error(iec) is None


@pytest.mark.parametrize(
    ("iec", "reason_part"),
    [
        ("AAACR5055", "must be 10 characters, got 9"),
        ("AAACR5055KK", "must be 10 characters, got 11"),
        ("aaacr5055k", "must be a PAN"),
        ("AAAC15055K", "must be a PAN"),
        ("AAACR50551", "must be a PAN"),
        ("AAACRR055K", "must be a PAN"),
        ("03880089A1", "must be a PAN"),
        ("AAACR 055K", "must be a PAN"),
    ],
)
def test_invalid_iecs(iec: str, reason_part: str) -> None:
    reason = iec_error(iec)
    assert reason is not None
    assert reason_part in reason


@pytest.mark.parametrize("holder", sorted(PAN_HOLDER_TYPES))
def test_every_pan_holder_type_is_accepted(holder: str) -> None:
    assert iec_error(f"AAA{holder}R5055K") is None


@pytest.mark.parametrize("holder", sorted(set(string.ascii_uppercase) - set(PAN_HOLDER_TYPES)))
def test_a_pan_shaped_iec_needs_a_holder_type_in_its_4th_letter(holder: str) -> None:
    reason = iec_error(f"AAA{holder}R5055K")
    assert reason is not None and f"4th letter {holder!r} is not a PAN holder type" in reason


# --- GSTIN ------------------------------------------------------------------------------------

# Published GSTINs: the example of the GSTN taxpayer guides and the Maharashtra registration of a
# listed company as shown on its public invoices and the GST portal's taxpayer search.
KNOWN_GSTINS = ["27AAPFU0939F1ZV", "27AAACR5055K1Z7"]


@pytest.mark.parametrize("gstin", KNOWN_GSTINS)
def test_known_gstins_are_valid(gstin: str) -> None:
    assert gstin_error(gstin) is None
    assert gstin_check_character(gstin[:14]) == gstin[14]


@pytest.mark.parametrize("gstin", KNOWN_GSTINS)
def test_any_single_character_change_of_a_gstin_is_refused(gstin: str) -> None:
    alphabet = string.digits + string.ascii_uppercase
    for position in range(15):
        for replacement in alphabet:
            if replacement == gstin[position]:
                continue
            changed = gstin[:position] + replacement + gstin[position + 1 :]
            assert gstin_error(changed) is not None, changed


@pytest.mark.parametrize(
    ("gstin", "reason_part"),
    [
        ("27AAPFU0939F1Z", "must be 15 characters, got 14"),
        ("27aapfu0939f1zv", "digits and capital letters"),
        ("00AAPFU0939F1ZV", "state code '00'"),
        ("X7AAPFU0939F1ZV", "state code"),
        ("27AAPXU0939F1ZV", "4th letter 'X' is not a PAN holder type"),
        ("27AAPF10939F1ZV", "the PAN"),
        ("27AAPFU0939F0ZV", "entity code"),
        ("27AAPFU0939F1YV", "14th character is 'Y', expected Z"),
        ("27AAPFU0939F1ZW", "check character is W, expected V"),
    ],
)
def test_invalid_gstins(gstin: str, reason_part: str) -> None:
    reason = gstin_error(gstin)
    assert reason is not None and reason_part in reason, reason


@given(st.text(alphabet=string.digits + string.ascii_uppercase, min_size=14, max_size=14))
def test_the_computed_check_character_is_the_only_one_accepted(first14: str) -> None:
    check = gstin_check_character(first14)
    for other in string.digits + string.ascii_uppercase:
        if other != check:
            assert gstin_error(first14 + other) is not None


# --- HS formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "scheme"),
    [("300490", "HS"), ("30049099", "ITC-HS"), ("2709009001", "TNVED"), ("030617", "HS")],
)
def test_well_formed_hs_codes(code: str, scheme: str) -> None:
    assert hs_format_error(code, scheme) is None


@pytest.mark.parametrize(
    ("code", "scheme", "reason"),
    [
        ("30049", "HS", "HS code must be 6 digits, got 5"),
        ("30049099", "HS", "HS code must be 6 digits, got 8"),
        ("300490", "ITC-HS", "ITC-HS code must be 8 digits, got 6"),
        ("30049099", "TNVED", "TNVED code must be 10 digits, got 8"),
        ("3004.90", "HS", "HS code must contain digits only (6 digits)"),
        ("", "TNVED", "TNVED code must contain digits only (10 digits)"),
    ],
)
def test_malformed_hs_codes(code: str, scheme: str, reason: str) -> None:
    assert hs_format_error(code, scheme) == reason


def test_unknown_scheme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown classification scheme"):
        hs_format_error("300490", "CN")
