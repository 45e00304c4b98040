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


def loads(text: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text and check it with ``json_problem``; raise BadJson saying why not."""
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
