"""An effective-dated table of exchange rates, each with its source, and exact conversion of
integer minor units (Decimal arithmetic, round half to even at the target currency's minor unit)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from corridor.settlement.domain.currency import currency, known
from corridor.settlement.domain.model import FxQuote
from corridor.shared.errors import FieldError, InvalidInput

SAMPLE_RATES = Path(__file__).resolve().parents[1] / "data" / "fx_rates.csv"


@dataclass(frozen=True, slots=True)
class Rate:
    base_ccy: str
    quote_ccy: str
    rate: Decimal  # units of quote_ccy for one unit of base_ccy
    effective: date
    source: str
    sample: bool

    def quote(self) -> FxQuote:
        source = f"{self.source} (sample)" if self.sample else self.source
        return FxQuote(self.base_ccy, self.quote_ccy, self.rate, self.effective.isoformat(), source)


class RateTable:
    def __init__(self, rates: Iterable[Rate] = ()) -> None:
        self.rates: list[Rate] = sorted(rates, key=lambda r: r.effective)

    def add(self, rate: Rate) -> None:
        self.rates.append(rate)
        self.rates.sort(key=lambda r: r.effective)

    def on(self, base: str, quote: str, day: date) -> Rate:
        """The rate of ``base`` in ``quote`` in force on ``day`` (the latest effective on or
        before it); either direction of the pair is used."""
        found = [r for r in self.rates if {r.base_ccy, r.quote_ccy} == {base, quote} and r.effective <= day]
        if not found:
            raise InvalidInput(
                [FieldError("currency", f"no {base}/{quote} rate in force on {day.isoformat()}")]
            )
        return found[-1]

    @classmethod
    def from_csv(cls, path: Path = SAMPLE_RATES) -> RateTable:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(row for row in handle if not row.startswith("#")))
        rates, problems = [], []
        for i, row in enumerate(rows):
            try:
                rate = Rate(
                    row["base"],
                    row["quote"],
                    Decimal(row["rate"]),
                    date.fromisoformat(row["effective"]),
                    row["source"],
                    row["sample"].strip().lower() == "yes",
                )
            except (KeyError, InvalidOperation, ValueError) as exc:
                problems.append(FieldError(f"{path.name}[{i}]", f"unreadable rate row: {exc}"))
                continue
            if not (known(rate.base_ccy) and known(rate.quote_ccy)) or rate.rate <= 0 or not rate.source:
                problems.append(
                    FieldError(f"{path.name}[{i}]", "needs known currencies, a positive rate and a source")
                )
            rates.append(rate)
        if problems:
            raise InvalidInput(problems)
        return cls(rates)


def convert(minor: int, from_ccy: str, to_ccy: str, quote: FxQuote) -> int:
    """``minor`` units of ``from_ccy`` in minor units of ``to_ccy`` at ``quote``."""
    src, dst = currency(from_ccy), currency(to_ccy)
    if (quote.base_ccy, quote.quote_ccy) == (from_ccy, to_ccy):
        major = Decimal(minor) / src.scale * quote.rate
    elif (quote.base_ccy, quote.quote_ccy) == (to_ccy, from_ccy):
        major = Decimal(minor) / src.scale / quote.rate
    else:
        raise ValueError(f"quote {quote.base_ccy}/{quote.quote_ccy} does not convert {from_ccy} to {to_ccy}")
    return int((major * dst.scale).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
