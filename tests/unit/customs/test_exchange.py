"""RateTable: direct, inverse and cross rates, effective dates, errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from corridor.customs.domain.exchange import ExchangeRate, RateNotFound, RateTable
from corridor.refdata.tariffs import exchange_rates
from corridor.shared.money import Money

SRC = "test rate"


def rate(base: str, quote: str, value: str, start: str, end: str | None = None) -> ExchangeRate:
    return ExchangeRate(
        base=base,
        quote=quote,
        rate=Decimal(value),
        valid_from=date.fromisoformat(start),
        valid_to=None if end is None else date.fromisoformat(end),
        source=SRC,
        publisher="test",
    )


@pytest.fixture()
def table() -> RateTable:
    return RateTable.of(
        [
            rate("USD", "RUB", "80.00", "2026-01-01", "2026-01-31"),
            rate("USD", "RUB", "82.00", "2026-02-01"),
            rate("EUR", "RUB", "93.00", "2026-01-01"),
            rate("RUB", "INR", "1.125", "2026-01-01"),
        ]
    )


def test_direct_rate(table: RateTable) -> None:
    # 1,000 USD x 80.00 = 80,000 RUB
    assert table.convert(Money.of("1000", "USD"), "RUB", date(2026, 1, 15)) == Money.of("80000.00", "RUB")


def test_valid_to_is_inclusive_and_next_period_starts_next_day(table: RateTable) -> None:
    assert table.rate("USD", "RUB", date(2026, 1, 31)) == Decimal("80.00")
    assert table.rate("USD", "RUB", date(2026, 2, 1)) == Decimal("82.00")


def test_inverse_rate(table: RateTable) -> None:
    # 1 INR = 1 / 1.125 RUB; 1,125 INR -> 1,000 RUB exactly
    quote = table.quote("INR", "RUB", date(2026, 1, 10))
    assert quote.method == "inverse"
    assert table.convert(Money.of("1125", "INR"), "RUB", date(2026, 1, 10)).amount == Decimal("1000")


def test_cross_rate_through_pivot(table: RateTable) -> None:
    # EUR -> INR: 93.00 RUB per EUR x 1.125 INR per RUB = 104.625 INR per EUR
    quote = table.quote("EUR", "INR", date(2026, 3, 1))
    assert quote.method == "cross via RUB"
    assert quote.rate == Decimal("104.625")
    # EUR -> USD: 93.00 / 82.00 on 2026-03-01 (second leg inverted)
    assert table.rate("EUR", "USD", date(2026, 3, 1)) == Decimal("93.00") / Decimal("82.00")


def test_identity() -> None:
    empty = RateTable.of([])
    assert empty.convert(Money.of("5", "RUB"), "RUB", date(2026, 1, 1)) == Money.of("5", "RUB")


def test_missing_rate_is_an_error(table: RateTable) -> None:
    with pytest.raises(RateNotFound, match="USD->RUB"):
        table.rate("USD", "RUB", date(2025, 12, 31))
    with pytest.raises(RateNotFound, match="CNY->RUB"):
        table.convert(Money.of("1", "CNY"), "RUB", date(2026, 1, 15))


def test_overlapping_rows_are_reported() -> None:
    clash = RateTable.of([rate("USD", "RUB", "80", "2026-01-01"), rate("USD", "RUB", "81", "2026-01-15")])
    with pytest.raises(ValueError, match="overlap"):
        clash.rate("USD", "RUB", date(2026, 2, 1))


def test_rate_must_be_decimal_and_positive() -> None:
    with pytest.raises(TypeError):
        ExchangeRate("USD", "RUB", 80.0, date(2026, 1, 1), SRC, "test")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rate("USD", "RUB", "0", "2026-01-01")
    with pytest.raises(ValueError, match="source"):
        ExchangeRate("USD", "RUB", Decimal("1"), date(2026, 1, 1), " ", "test")


def test_shipped_table_converts_both_national_currencies() -> None:
    rates = exchange_rates()
    on = date(2026, 3, 1)
    # sample Bank of Russia block for 2026: 80.00 RUB/USD; sample CBIC block: 90.50 INR/USD
    assert rates.convert(Money.of("10", "USD"), "RUB", on) == Money.of("800.00", "RUB")
    assert rates.convert(Money.of("10", "USD"), "INR", on) == Money.of("905.00", "INR")
    for currency in ("USD", "EUR", "CNY", "AED"):
        assert rates.quote(currency, "RUB", on).method == "direct"
        assert rates.quote(currency, "INR", on).method == "direct"
    assert rates.quote("INR", "RUB", on).method == "direct"
    assert rates.quote("RUB", "INR", on).method == "direct"
    assert rates.quote("USD", "RUB", on).sample is True
