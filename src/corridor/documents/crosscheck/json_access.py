"""Reading loosely shaped JSON safely, and the party and goods line both sides are read into."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


def get_in(obj: Any, *keys: str | int) -> Any:
    for k in keys:
        if isinstance(k, int):
            obj = obj[k] if isinstance(obj, list) and -len(obj) <= k < len(obj) else None
        else:
            obj = obj.get(k) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


@dataclass(frozen=True)
class Party:
    name: str | None
    id: str | None


@dataclass(frozen=True)
class Line:
    hs: str | None
    quantity: Decimal | None
    unit: str | None
    amount: Decimal | None
    currency: str | None
    origin: str | None
    path: str
