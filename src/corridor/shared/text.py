"""Text that may enter the node: valid Unicode, no control characters, within a stated length.

Every string field of a model at the edge is ``Annotated[str, Text(n)]`` (single line) or
``Annotated[str, Text(n, multiline=True)]`` (free text; tab, line feed and carriage return
allowed). A value is refused with a reason naming the character and its position when it holds a
lone surrogate (it cannot be encoded as UTF-8, so it could be neither stored nor signed), a NUL
or another control character, when it is blank (unless ``blank=True``), longer than ``n``
characters, or not a string at all (a number or an object is never turned into text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL = re.compile("\x00")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Any character some check below refuses: most text has none, and one search settles it.
_ANY_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _describe(kind: str, text: str, match: re.Match[str]) -> str:
    return f"contains {kind} (U+{ord(match.group()):04X}) at position {match.start()}"


def unsafe_reason(text: str) -> str | None:
    """Why ``text`` can be neither stored nor signed (a lone surrogate or a NUL), or None."""
    found = _SURROGATE.search(text)
    if found:
        return _describe("a lone surrogate", text, found)
    found = _NUL.search(text)
    return _describe("a NUL character", text, found) if found else None


def text_reason(text: str, *, multiline: bool = False, blank: bool = False) -> str | None:
    """Why ``text`` is not acceptable text, or None."""
    if _ANY_REFUSED.search(text) is None:
        return None if blank or text.strip() else "must not be blank"
    reason = unsafe_reason(text)
    if reason:
        return reason
    found = (_CONTROL_BUT_LINES if multiline else _CONTROL).search(text)
    if found:
        return _describe("a control character", text, found)
    if not blank and not text.strip():
        return "must not be blank"
    return None


@dataclass(frozen=True, slots=True)
class Text:
    """Pydantic metadata for a string field: ``Annotated[str, Text(35)]``."""

    max_length: int
    multiline: bool = False
    blank: bool = False
    pattern: str | None = None

    def _check(self, value: Any) -> Any:
        if isinstance(value, str):
            reason = text_reason(value, multiline=self.multiline, blank=self.blank)
            if reason:
                raise PydanticCustomError("text", reason)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        inner = core_schema.str_schema(strict=True, max_length=self.max_length, pattern=self.pattern)
        return core_schema.no_info_before_validator_function(self._check, inner)
