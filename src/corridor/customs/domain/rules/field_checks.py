"""Checks of single fields: a country, a UN/LOCODE, an amount and its currency, a magnitude."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from corridor.customs.domain.rules.lookup import CodeLookup
from corridor.customs.domain.rules.vocabulary import LARGEST
from corridor.customs.domain.wco import AmountType as Amount
from corridor.shared.errors import FieldError


def check_country(path: str, code: str, codes: CodeLookup) -> Iterator[FieldError]:
    if not codes.country_exists(code):
        yield FieldError(path, f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def check_locode(path: str, code: str, codes: CodeLookup, country: str | None) -> Iterator[FieldError]:
    found = codes.locode(code)
    if found is None:
        yield FieldError(path, f"{code!r} is not a known UN/LOCODE of the corridor")
    elif country is not None and found.country != country:
        yield FieldError(path, f"{code!r} is in {found.country}, expected a location in {country}")


def check_amount(path: str, amount: Amount, codes: CodeLookup) -> Iterator[FieldError]:
    if not codes.currency_exists(amount.currencyID):
        yield FieldError(f"{path}.currencyID", f"{amount.currencyID!r} is not an ISO 4217 currency code")
    yield from check_magnitude(f"{path}.value", amount.value)


def check_magnitude(path: str, value: Decimal) -> Iterator[FieldError]:
    if not value.is_finite():
        yield FieldError(path, "must be a finite number")
    elif value <= 0:
        yield FieldError(path, "must be greater than zero")
    elif value >= LARGEST:
        yield FieldError(path, f"{value} is implausibly large (limit {LARGEST:.0E})")
