"""Money as an exact Decimal amount with an ISO 4217 currency; never float."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"currency {self.currency!r} is not an ISO 4217 alphabetic code")

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        return cls(Decimal(str(amount)), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> Money:
        return Money(self.amount.quantize(CENT, rounding=ROUND_HALF_UP), self.currency)

    def to_json(self) -> dict[str, str]:
        return {"value": str(self.rounded().amount), "currencyID": self.currency}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Money:
        """``{"value": "12.50", "currencyID": "RUB"}``, the shape ``to_json`` writes."""
        return cls.of(data["value"], data["currencyID"])

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


def zero(currency: str) -> Money:
    return Money(Decimal("0"), currency)
