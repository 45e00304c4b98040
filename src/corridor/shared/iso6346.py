"""ISO 6346 freight container numbers: owner code, category identifier, serial number and check
digit. Pure functions; shared by customs (declared equipment) and logistics (EPCIS container URIs).

Source: ISO 6346:2022 Freight containers - Coding, identification and marking.
"""

from __future__ import annotations

import string

_DIGITS = frozenset(string.digits)
_LETTERS = frozenset(string.ascii_uppercase)

_ISO6346_CATEGORIES = "UJZ"
_ISO6346_LENGTH = 11


def _iso6346_letter_values() -> dict[str, int]:
    """A=10, B=12, ... Z=38: consecutive numbers from 10 that skip the multiples of 11."""
    values: dict[str, int] = {}
    value = 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


_ISO6346_VALUES = _iso6346_letter_values() | {d: int(d) for d in string.digits}


def _is_digits(value: str) -> bool:
    """True when ``value`` is non-empty and only ASCII digits (``str.isdigit`` accepts other scripts)."""
    return bool(value) and all(c in _DIGITS for c in value)


def _first10_error(first10: str) -> str | None:
    if len(first10) != 10:
        return f"must start with 10 characters (owner code, category, serial), got {len(first10)}"
    owner, category, serial = first10[:3], first10[3], first10[4:10]
    if not all(c in _LETTERS for c in owner):
        return f"owner code {owner!r} must be 3 capital letters A-Z"
    if category not in _ISO6346_CATEGORIES:
        return f"category identifier {category!r} must be U, J or Z"
    if not _is_digits(serial):
        return f"serial number {serial!r} must be 6 digits"
    return None


def iso6346_check_digit(first10: str) -> int:
    """Check digit of an ISO 6346 container number from its first 10 characters.

    Raises ``ValueError`` when ``first10`` is not owner code + category + serial number.
    """
    reason = _first10_error(first10)
    if reason is not None:
        raise ValueError(reason)
    total = sum(_ISO6346_VALUES[c] << i for i, c in enumerate(first10))
    return total % 11 % 10


def container_number_error(value: str) -> str | None:
    """Why ``value`` is not a valid ISO 6346 container number, or ``None`` if it is."""
    if len(value) != _ISO6346_LENGTH:
        return (
            f"must be {_ISO6346_LENGTH} characters (3-letter owner code, category U/J/Z, "
            f"6-digit serial, check digit), got {len(value)}"
        )
    reason = _first10_error(value[:10])
    if reason is not None:
        return reason
    given = value[10]
    if given not in _DIGITS:
        return f"check digit {given!r} must be a digit"
    expected = iso6346_check_digit(value[:10])
    if int(given) != expected:
        return f"check digit is {given}, expected {expected}"
    return None
