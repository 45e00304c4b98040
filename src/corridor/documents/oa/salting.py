"""Salting: every primitive becomes ``"<uuid v4>:<type>:<value>"`` (OpenAttestation v2).

``type`` is JavaScript's ``typeof``: ``string``, ``number``, ``boolean``, and ``null`` for null
(``undefined`` cannot come out of JSON). Numbers are written as JavaScript would print them."""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

from corridor.documents.oa.jsjson import js_number

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
UUID_V4_LENGTH = 37  # the uuid and the ':' after it
SALT_TYPES = ("string", "number", "boolean", "null", "undefined")

_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def _salt_blocks(block: int) -> Iterator[list[str]]:
    variant = _VARIANT
    while True:
        pool = os.urandom(16 * block).hex()
        yield [
            f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-{variant[h[16]]}{h[17:20]}-{h[20:32]}"
            for h in (pool[i : i + 32] for i in range(0, len(pool), 32))
        ]


def salt_source(block: int = 4096) -> Callable[[], str]:
    """A function returning a fresh random uuid v4 string on each call; the uuids are made from
    ``os.urandom`` in blocks (one system call per ``block`` salts)."""
    return itertools.chain.from_iterable(_salt_blocks(block)).__next__


def typed_string(value: Any) -> str:
    """``primitiveToTypedString``: ``"number:5"``, ``"string:x"``, ``"boolean:true"``, ``"null:null"``."""
    if isinstance(value, str):
        return "string:" + value
    if value is None:
        return "null:null"
    if isinstance(value, bool):
        return "boolean:true" if value else "boolean:false"
    if isinstance(value, int | float):
        return "number:" + js_number(value)
    raise TypeError(f"{type(value).__name__} is not a JSON primitive")


def salt_data(data: Any, salt: Callable[[], str] | None = None) -> Any:
    """A copy of ``data`` with every primitive salted (arrays and objects keep their shape)."""
    source = salt or salt_source()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return source() + ":" + typed_string(value)

    return walk(data)


def _typed_to_primitive(text: str) -> Any:
    kind, _, value = text.partition(":")
    if kind == "string":
        return value
    if kind == "number":
        return _js_number_parse(value)
    if kind == "boolean":
        return value == "true"
    if kind in ("null", "undefined"):
        return None
    return text


def _js_number_parse(text: str) -> int | float:
    stripped = text.strip()
    if re.fullmatch(r"-?\d+", stripped):
        return int(stripped)
    try:
        number = float(stripped) if stripped else 0.0
    except ValueError:
        return math.nan
    if math.isfinite(number) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def is_salted(value: Any) -> bool:
    """True when ``value`` is a ``"<uuid v4>:<known type>:<value>"`` string."""
    if not isinstance(value, str) or len(value) < UUID_V4_LENGTH or value[36:37] != ":":
        return False
    if not UUID_V4.match(value[:36]):
        return False
    kind = value[UUID_V4_LENGTH:].strip().partition(":")[0]
    return kind in SALT_TYPES


def unsalt(value: Any) -> Any:
    """Inverse of salting for one value; a value without a uuid v4 salt is returned unchanged."""
    if isinstance(value, str) and value[36:37] in (":", "") and UUID_V4.match(value.split(":", 1)[0]):
        return _typed_to_primitive(value[UUID_V4_LENGTH:].strip())
    return value


def unsalt_data(data: Any) -> Any:
    """``unsaltData``: every salted primitive of ``data`` back to its JSON value."""
    if isinstance(data, dict):
        return {k: unsalt_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [unsalt_data(v) for v in data]
    return unsalt(data)


def get_data(wrapped: dict[str, Any]) -> Any:
    """``getData``: the unsalted ``data`` of a wrapped document."""
    return unsalt_data(wrapped.get("data"))
