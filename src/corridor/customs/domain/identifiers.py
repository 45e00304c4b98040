"""Format and check-digit validators for identifiers on a customs declaration.

Pure functions, no I/O. Each ``*_error`` function returns ``None`` when the value is valid and
otherwise a short reason a user can act on.

Sources (ISO 6346 container numbers, shared with logistics, are in ``corridor.shared.iso6346``):
- Russian INN: the Federal Tax Service control-number algorithm, weighted sum mod 11 mod 10 with
  weights 2,4,10,3,5,9,4,6,8 (10 digits) and 7,2,4,10,3,5,9,4,6,8 / 3,7,2,4,10,3,5,9,4,6,8
  (12 digits).
- India IEC: DGFT issues the firm's PAN as its IEC (5 letters, 4 digits, 1 letter); IECs issued
  before that were 10 digits. The PAN's 4th letter is the holder type (Income Tax Department): C
  company, P person, H Hindu undivided family, F firm, A association of persons, T trust, B body of
  individuals, L local authority, J artificial juridical person, G government, E limited liability
  partnership.
- India GSTIN (CBIC / GSTN): 2-digit state code, the holder's PAN, 1 entity code (1-9, A-Z), the
  letter Z, and a check character: over the first 14 characters, each value in 0-9A-Z (0..35)
  times factor 1, 2, 1, 2, ...; each product's base-36 digits summed (product // 36 + product % 36);
  check = (36 - sum mod 36) mod 36, written as a 0-9A-Z character.
- Classification codes: HS 2022 subheading (6 digits), India ITC-HS (8 digits), EAEU TN VED
  (10 digits).
"""

from __future__ import annotations

import re
import string

_DIGITS = frozenset(string.digits)

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)

_PAN_SHAPE = re.compile(r"[A-Z]{5}[0-9]{4}[A-Z]")
PAN_HOLDER_TYPES = "CPHFATBLJGE"
_BASE36 = string.digits + string.ascii_uppercase
_GSTIN_LENGTH = 15
_OLD_IEC_SHAPE = re.compile(r"[0-9]{10}")

HS_SCHEME_LENGTHS: dict[str, int] = {"HS": 6, "ITC-HS": 8, "TNVED": 10}


def _is_digits(value: str) -> bool:
    """True when ``value`` is non-empty and only ASCII digits (``str.isdigit`` accepts other scripts)."""
    return bool(value) and all(c in _DIGITS for c in value)


def _weighted_check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def inn_error(value: str) -> str | None:
    """Why ``value`` is not a valid Russian INN (10 digits legal entity, 12 digits individual)."""
    if not _is_digits(value):
        return "must contain digits only"
    if len(value) == 10:
        expected = _weighted_check(value[:9], _INN10_WEIGHTS)
        if int(value[9]) != expected:
            return f"check digit is {value[9]}, expected {expected}"
        return None
    if len(value) == 12:
        expected11 = _weighted_check(value[:10], _INN12_WEIGHTS_11)
        if int(value[10]) != expected11:
            return f"11th digit (first check digit) is {value[10]}, expected {expected11}"
        expected12 = _weighted_check(value[:11], _INN12_WEIGHTS_12)
        if int(value[11]) != expected12:
            return f"12th digit (second check digit) is {value[11]}, expected {expected12}"
        return None
    return f"must be 10 digits (legal entity) or 12 digits (individual), got {len(value)}"


def pan_error(value: str) -> str | None:
    """Why ``value`` is not shaped like an India PAN (with a known holder type), or ``None``."""
    if not _PAN_SHAPE.fullmatch(value):
        return "must be a PAN (5 capital letters, 4 digits, 1 capital letter)"
    if value[3] not in PAN_HOLDER_TYPES:
        return f"4th letter {value[3]!r} is not a PAN holder type (one of {', '.join(PAN_HOLDER_TYPES)})"
    return None


def iec_error(value: str) -> str | None:
    """Why ``value`` is not an India Importer-Exporter Code (PAN-shaped, or 10 digits if older)."""
    if len(value) != 10:
        return f"must be 10 characters, got {len(value)}"
    if _OLD_IEC_SHAPE.fullmatch(value):
        return None
    if _PAN_SHAPE.fullmatch(value):
        return pan_error(value)
    return "must be a PAN (5 capital letters, 4 digits, 1 capital letter) or an older 10-digit IEC"


def gstin_check_character(first14: str) -> str:
    """The GSTIN check character of its first 14 characters (digits and capital letters A-Z)."""
    total = 0
    for i, c in enumerate(first14):
        product = _BASE36.index(c) * (2 if i % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def gstin_error(value: str) -> str | None:
    """Why ``value`` is not a valid India GSTIN (Goods and Services Tax identification), or ``None``."""
    if len(value) != _GSTIN_LENGTH:
        return f"must be {_GSTIN_LENGTH} characters, got {len(value)}"
    if not all(c in _BASE36 for c in value):
        return "must contain digits and capital letters A-Z only"
    state, pan, entity, default = value[:2], value[2:12], value[12], value[13]
    if not _is_digits(state) or not 1 <= int(state) <= 99:
        return f"state code {state!r} must be 2 digits 01-99"
    problem = pan_error(pan)
    if problem:
        return f"characters 3-12 (the PAN {pan}): {problem}"
    if entity == "0":
        return "13th character (entity code) must be 1-9 or A-Z"
    if default != "Z":
        return f"14th character is {default!r}, expected Z"
    expected = gstin_check_character(value[:14])
    if value[14] != expected:
        return f"check character is {value[14]}, expected {expected}"
    return None


def hs_format_error(code: str, scheme: str) -> str | None:
    """Why ``code`` is not well formed for ``scheme`` ("HS", "ITC-HS" or "TNVED"), or ``None``.

    Checks the shape only; whether the code exists is a code-list question.
    Raises ``ValueError`` for an unknown scheme (a programming error, not user input).
    """
    try:
        length = HS_SCHEME_LENGTHS[scheme]
    except KeyError:
        known = ", ".join(HS_SCHEME_LENGTHS)
        raise ValueError(f"unknown classification scheme {scheme!r}; known: {known}") from None
    if not _is_digits(code):
        return f"{scheme} code must contain digits only ({length} digits)"
    if len(code) != length:
        return f"{scheme} code must be {length} digits, got {len(code)}"
    return None
