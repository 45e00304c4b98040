"""JavaScript's ``JSON.stringify`` and ``String(number)`` for the values OpenAttestation hashes.

The digest of a field is ``keccak256(JSON.stringify({key: value}))``, so these must agree with
V8 to the byte: strings are escaped like ``JSON.stringify`` (only ``"``, ``\\`` and control
characters, lone surrogates as ``\\udxxx``, everything else raw), and numbers are printed with
ECMAScript's Number::toString (shortest round-trip digits, ``1`` for ``1.0``, ``1e+21``)."""

from __future__ import annotations

import math
from json.encoder import encode_basestring
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1


def _escape_lone_surrogates(encoded: str) -> str:
    # Join surrogate pairs first (a Python str may hold them as two code points); V8 keeps a pair
    # as the character it encodes and escapes only unpaired halves.
    encoded = encoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in encoded)


def js_string(value: str) -> str:
    """``JSON.stringify(value)`` for a string."""
    encoded: str = encode_basestring(value)
    if not encoded.isascii():
        for c in encoded:
            if 0xD800 <= ord(c) <= 0xDFFF:
                return _escape_lone_surrogates(encoded)
    return encoded


def js_number(value: int | float) -> str:
    """``String(value)`` in JavaScript, where every number is an IEEE-754 double."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exp_text = repr(abs(value)).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    digits = int_part + frac_part
    point = len(int_part) + (int(exp_text) if exp_text else 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        exp_sign = "+" if exponent >= 0 else "-"
        head = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{head}e{exp_sign}{abs(exponent)}"
    return sign + text


def js_stringify(value: Any) -> str:
    """``JSON.stringify`` without indentation for JSON-shaped Python values."""
    if isinstance(value, str):
        return js_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        text = js_number(value)
        return "null" if text in {"NaN", "Infinity", "-Infinity"} else text
    if isinstance(value, list | tuple):
        return "[" + ",".join(js_stringify(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(js_string(str(k)) + ":" + js_stringify(v) for k, v in value.items()) + "}"
    raise TypeError(f"{type(value).__name__} is not JSON")
