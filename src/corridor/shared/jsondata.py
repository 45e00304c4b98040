"""JSON from outside the node, checked once before anything reads it.

A request body, an envelope from the peer or a file given to the CLI may nest at most
``MAX_DEPTH`` levels and holds no string (member name or value) that could be neither stored nor
signed (a lone surrogate or a NUL) and no NaN or infinite number. ``json_problem`` walks a parsed
value without recursion and names the path of the first problem; ``loads`` parses text and checks
it; ``read_json_file`` reads a bounded file.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from corridor.shared.errors import FieldError
from corridor.shared.text import unsafe_reason

MAX_DEPTH = 64
MAX_FILE_BYTES = 8 * 1024 * 1024


class BadJson(ValueError):
    """Text or a file that is not acceptable JSON; ``path`` names where, ``reason`` why."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)

    def field_error(self) -> FieldError:
        return FieldError(self.path or "(document)", self.reason)


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> FieldError | None:
    """The first string, number or nesting level in ``value`` that the node refuses, or None."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                return FieldError(path or "(document)", f"nested deeper than {max_depth} levels")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    reason = unsafe_reason(key)
                    if reason:
                        return FieldError(path or "(document)", f"a member name {reason}")
                stack.append((child, _child(path, key), depth + 1))
        elif isinstance(item, str):
            reason = unsafe_reason(item)
            if reason:
                return FieldError(path or "(document)", reason)
        elif isinstance(item, float) and not math.isfinite(item):
            return FieldError(path or "(document)", "must be a finite number")
    return None


# What could make ``json_problem`` refuse a parsed value, seen in the bytes: in a string, a NUL or
# lone-surrogate escape or a surrogate encoded in the bytes; outside strings, NaN, Infinity, or a
# number with an exponent or hundreds of digits (it may overflow to infinity), or nesting deeper
# than MAX_DEPTH. Bytes with none of these parse to a value it accepts, so it need not walk it.
_UNSAFE_TEXT = re.compile(rb"\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]|\x00")
_UNSAFE_NUMBER = re.compile(rb"NaN|Infinity|[0-9.][eE]|[0-9]{300}")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string; written unrolled, 3-4 times faster
_BRACKET = re.compile(rb"[\[\]{}]")


def plainly_sound(data: bytes, max_depth: int = MAX_DEPTH) -> bool:
    """Whether JSON bytes, if they parse at all, parse to a value ``json_problem`` accepts, as a
    scan of the bytes shows (a few regular expressions in C, instead of a walk over every member
    in Python). False means only: walk the parsed value to know."""
    if _UNSAFE_TEXT.search(data):
        return False
    outside_strings = _STRING.sub(b'""', data)
    if _UNSAFE_NUMBER.search(outside_strings):
        return False
    if outside_strings.count(b"[") + outside_strings.count(b"{") <= max_depth:
        return True  # too few brackets open to nest deeper
    depth = deepest = 0
    for bracket in _BRACKET.findall(outside_strings):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest <= max_depth


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text and check it with ``json_problem``; raise BadJson saying why not."""
    if isinstance(text, bytes) and plainly_sound(text, max_depth):
        try:
            return json.loads(text)
        except ValueError:
            pass  # not JSON, or not UTF-8: said below
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadJson("", f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except UnicodeDecodeError:
        raise BadJson("", "not UTF-8 text") from None
    except RecursionError:
        raise BadJson("", f"nested deeper than {max_depth} levels") from None
    except ValueError as exc:  # e.g. an integer beyond the interpreter's digit limit
        raise BadJson("", f"not acceptable JSON ({exc})") from None
    problem = json_problem(value, max_depth)
    if problem is not None:
        raise BadJson(problem.path, problem.reason)
    return value


def read_json_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Read and check a JSON file of at most ``max_bytes``; raise BadJson saying why not (the
    path in the error is the place inside the document, if any)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise BadJson("", f"cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise BadJson("", f"larger than {max_bytes // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJson("", f"not UTF-8 text (byte {exc.start})") from None
    return loads(text)
