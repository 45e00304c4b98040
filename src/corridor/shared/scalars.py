"""Numbers and date-times as they may enter the node.

``Annotated[Decimal, Number()]`` takes a JSON number or a numeric string, and refuses ``true`` /
``false``, NaN, infinities and values beyond a stated number of digits (so that ``1E+1000000``
is refused instead of overflowing later). ``Count`` is a whole number given as a JSON integer.
``DateTime`` is an ISO 8601 string: a number is not taken for seconds since 1970.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

MAX_DIGITS = 18
DECIMAL_PLACES = 6
MAX_COUNT = 99_999


@dataclass(frozen=True, slots=True)
class Number:
    """Pydantic metadata for a decimal field: ``Annotated[Decimal, Number()]``."""

    max_digits: int = MAX_DIGITS
    decimal_places: int = DECIMAL_PLACES

    @staticmethod
    def _check(value: Any) -> Any:
        if isinstance(value, bool):
            raise PydanticCustomError("number", "must be a number, not true or false")
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("number", "must be a finite number")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        inner = core_schema.decimal_schema(
            allow_inf_nan=False, max_digits=self.max_digits, decimal_places=self.decimal_places
        )
        return core_schema.no_info_before_validator_function(self._check, inner)


def decimal_reason(value: Decimal) -> str | None:
    """Why ``value`` is not a plain amount (NaN, infinite, or beyond the stated digits), or None."""
    if not value.is_finite():
        return "must be a finite number"
    parts = value.as_tuple()
    digits, exponent = list(parts.digits), int(parts.exponent)
    while len(digits) > 1 and digits[-1] == 0:  # 100.000 has no decimal places
        digits.pop()
        exponent += 1
    if not any(digits):
        return None
    if exponent < -DECIMAL_PLACES:
        return f"at most {DECIMAL_PLACES} decimal places"
    if len(digits) + max(exponent, 0) > MAX_DIGITS:
        return f"at most {MAX_DIGITS} digits"
    return None


def _date_time_text(value: Any) -> Any:
    if not isinstance(value, (str, datetime)):
        raise PydanticCustomError("datetime", "must be an ISO 8601 date-time string")
    return value


Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
DateTime = Annotated[datetime, BeforeValidator(_date_time_text)]
