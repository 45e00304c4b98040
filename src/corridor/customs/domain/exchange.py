"""Effective-dated exchange rates and conversion of Money, direct or through a cross rate.

A rate row says: one unit of ``base`` costs ``rate`` units of ``quote`` from ``valid_from`` to
``valid_to`` (inclusive), as published by ``publisher``. Conversion tries, in order:

1. a direct row ``from -> to``;
2. the inverse of a row ``to -> from`` (1 / rate);
3. a cross rate through one pivot currency, each leg direct or inverse; pivots are tried in
   alphabetical order, legs quoted directly preferred.

Nothing is rounded while converting; callers round the resulting Money where the law says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from corridor.shared.errors import NotFound
from corridor.shared.money import Money


class RateNotFound(NotFound):
    """No exchange rate in force for a currency pair and date."""


@dataclass(frozen=True, slots=True)
class ExchangeRate:
    base: str
    quote: str
    rate: Decimal
    valid_from: date
    source: str
    publisher: str
    valid_to: date | None = None
    sample: bool = False
    verified: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.rate, Decimal):
            raise TypeError("ExchangeRate.rate must be a Decimal")
        if self.rate <= 0:
            raise ValueError(f"rate {self.base}->{self.quote} must be positive")
        if self.base == self.quote:
            raise ValueError(f"rate from {self.base} to itself")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if not self.source.strip():
            raise ValueError("every exchange rate needs a source")

    def in_force(self, on_date: date) -> bool:
        return self.valid_from <= on_date and (self.valid_to is None or on_date <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Quote:
    """A rate found for a conversion: how it was derived, the sources of the rows it rests on and
    whether any of them is sample data."""

    from_currency: str
    to_currency: str
    rate: Decimal
    method: str
    sources: tuple[str, ...] = ()
    sample: bool = False

    @classmethod
    def of_rows(
        cls, from_currency: str, to_currency: str, rate: Decimal, method: str, rows: Iterable[ExchangeRate]
    ) -> Quote:
        found = tuple(rows)
        return cls(
            from_currency,
            to_currency,
            rate,
            method,
            tuple(row.source for row in found),
            any(row.sample for row in found),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "from": self.from_currency,
            "to": self.to_currency,
            "rate": str(self.rate),
            "method": self.method,
            "sample": self.sample,
            "sources": list(self.sources),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quote:
        return cls(
            str(data["from"]),
            str(data["to"]),
            Decimal(str(data["rate"])),
            str(data.get("method", "")),
            tuple(str(s) for s in data.get("sources", ())),
            bool(data.get("sample", False)),
        )


@dataclass(frozen=True, slots=True)
class RateTable:
    rates: tuple[ExchangeRate, ...]
    _by_pair: dict[tuple[str, str], tuple[ExchangeRate, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[tuple[str, str], list[ExchangeRate]] = {}
        for row in self.rates:
            grouped.setdefault((row.base, row.quote), []).append(row)
        object.__setattr__(self, "_by_pair", {pair: tuple(rows) for pair, rows in grouped.items()})

    @classmethod
    def of(cls, rates: Iterable[ExchangeRate]) -> RateTable:
        return cls(tuple(rates))

    @property
    def currencies(self) -> tuple[str, ...]:
        found = {row.base for row in self.rates} | {row.quote for row in self.rates}
        return tuple(sorted(found))

    def _row(self, base: str, quote: str, on_date: date) -> ExchangeRate | None:
        rows = [row for row in self._by_pair.get((base, quote), ()) if row.in_force(on_date)]
        if len(rows) > 1:
            raise ValueError(f"{len(rows)} {base}->{quote} rates overlap on {on_date.isoformat()}")
        return rows[0] if rows else None

    def _leg(self, from_currency: str, to_currency: str, on_date: date) -> tuple[Decimal, ExchangeRate, bool]:
        direct = self._row(from_currency, to_currency, on_date)
        if direct is not None:
            return direct.rate, direct, True
        inverse = self._row(to_currency, from_currency, on_date)
        if inverse is not None:
            return Decimal(1) / inverse.rate, inverse, False
        raise RateNotFound(f"no {from_currency}->{to_currency} rate on {on_date.isoformat()}")

    def quote(self, from_currency: str, to_currency: str, on_date: date) -> Quote:
        """The rate (units of ``to_currency`` per unit of ``from_currency``) in force on ``on_date``."""
        if from_currency == to_currency:
            return Quote(from_currency, to_currency, Decimal(1), "identity")
        try:
            rate, row, direct = self._leg(from_currency, to_currency, on_date)
            return Quote.of_rows(from_currency, to_currency, rate, "direct" if direct else "inverse", (row,))
        except RateNotFound:
            pass
        crosses: list[tuple[int, str, Quote]] = []
        for pivot in self.currencies:
            if pivot in (from_currency, to_currency):
                continue
            try:
                first, first_row, first_direct = self._leg(from_currency, pivot, on_date)
                second, second_row, second_direct = self._leg(pivot, to_currency, on_date)
            except RateNotFound:
                continue
            inverted = int(not first_direct) + int(not second_direct)
            found = Quote.of_rows(
                from_currency, to_currency, first * second, f"cross via {pivot}", (first_row, second_row)
            )
            crosses.append((inverted, pivot, found))
        if not crosses:
            raise RateNotFound(
                f"no {from_currency}->{to_currency} rate on {on_date.isoformat()}, direct or cross"
            )
        crosses.sort(key=lambda item: (item[0], item[1]))
        return crosses[0][2]

    def rate(self, from_currency: str, to_currency: str, on_date: date) -> Decimal:
        return self.quote(from_currency, to_currency, on_date).rate

    def convert(self, money: Money, to_currency: str, on_date: date) -> Money:
        """``money`` in ``to_currency`` at the rate in force on ``on_date`` (not rounded)."""
        return Money(money.amount * self.rate(money.currency, to_currency, on_date), to_currency)
