"""RFC 8785 JSON Canonicalization Scheme with a fast path.

For values made only of objects, arrays, strings, booleans, null and integers in the IEEE 754
safe range, and floats that are not whole numbers with 1e-4 <= |x| < 1e16, whose object keys are
all in the Basic Multilingual Plane, JCS output equals
``json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))``: the same escapes
(``\\b \\f \\n \\r \\t``, other controls as lower-case ``\\u00xx``, nothing else), integers print
the same, and code-point order equals UTF-16 code-unit order for BMP keys. Such a float prints
the same too: Python's ``repr`` and ECMAScript's Number-to-String (which JCS prescribes) both give
the shortest digits that read back as the same number, and both write them without an exponent in
that range (Python from 1e-4 below 1e16, ECMAScript from 1e-6 below 1e21); only a whole number
differs (``12.0`` against ``12``). Anything else (other floats, large integers, astral-plane keys)
goes to the reference implementation ``rfc8785``; property tests check both paths agree.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

SAFE_INTEGER = 2**53 - 1
FIXED_LOW, FIXED_HIGH = 1e-4, 1e16  # where repr(float) writes no exponent


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if isinstance(value, str):  # a str enum (a lane, a status): JSON writes its text
        return True
    if kind is int:
        integer: int = value
        return -SAFE_INTEGER <= integer <= SAFE_INTEGER
    if kind is float:
        number: float = value
        return FIXED_LOW <= abs(number) < FIXED_HIGH and not number.is_integer()
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and max(map(ord, key)) > 0xFFFF):
                return False
            if not _plain(item):
                return False
        return True
    if kind is list:
        return all(_plain(item) for item in value)
    return False


def canonical(value: Any) -> bytes:
    if _plain(value):
        try:
            return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
                "utf-8"
            )
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference implementation report it
    return rfc8785.dumps(value)
