"""ISO 4217 currencies with their minor units, and amounts parsed exactly into integer minor units.

Minor units are those of ISO 4217 "List One: Currency, fund and precious metal codes" as published
by the maintenance agency (SIX Financial Information, www.six-group.com/en/products-services/
financial-information/data-standards.html, edition in force since 1 January 2026). Only the
currencies the corridor settles or quotes are listed; another code is refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from corridor.shared.errors import FieldError

ISO_4217_SOURCE = "ISO 4217 List One (SIX Financial Information), minor unit column"

# code: (numeric code, minor units, name)
_LIST_ONE: dict[str, tuple[str, int, str]] = {
    "INR": ("356", 2, "Indian Rupee"),
    "RUB": ("643", 2, "Russian Ruble"),
    "USD": ("840", 2, "US Dollar"),
    "EUR": ("978", 2, "Euro"),
    "CNY": ("156", 2, "Yuan Renminbi"),
    "AED": ("784", 2, "UAE Dirham"),
    "JPY": ("392", 0, "Yen"),
    "KWD": ("414", 3, "Kuwaiti Dinar"),
    "BHD": ("048", 3, "Bahraini Dinar"),
}

# Digits a ledger keeps: balances are stored as signed 64-bit integers in SQL, so an amount stays
# below 10**15 minor units (10 trillion rupees), leaving headroom for sums of many of them.
MAX_MINOR = 10**15 - 1
_AMOUNT = re.compile(r"^[0-9]{1,16}(\.[0-9]+)?$")


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    numeric: str
    minor_units: int
    name: str

    @property
    def scale(self) -> int:
        return int(10**self.minor_units)

    def format(self, minor: int) -> str:
        """``minor`` units as a decimal string with exactly the currency's minor digits."""
        sign = "-" if minor < 0 else ""
        whole, part = divmod(abs(minor), self.scale)
        return f"{sign}{whole}.{part:0{self.minor_units}d}" if self.minor_units else f"{sign}{whole}"


def currency(code: str) -> Currency:
    """The ISO 4217 currency ``code``; KeyError naming it when the corridor does not know it."""
    numeric, minor, name = _LIST_ONE[code]
    return Currency(code, numeric, minor, name)


def known(code: object) -> bool:
    return isinstance(code, str) and code in _LIST_ONE


def codes() -> list[str]:
    return sorted(_LIST_ONE)


def check_code(code: object, path: str) -> FieldError | None:
    if not isinstance(code, str) or not known(code):
        return FieldError(
            path, f"{code!r} is not an ISO 4217 currency the corridor settles ({', '.join(codes())})"
        )
    return None


def parse_amount(raw: object, code: str, path: str) -> int | FieldError:
    """A positive amount given as a decimal string (``"1234.50"``) or an integer of whole units,
    in integer minor units of ``code``. Refused with the reason: a JSON number with a fraction
    (binary floating point), a sign, zero, more decimals than the currency has, too many digits."""
    if isinstance(raw, bool | float):
        return FieldError(path, 'give the amount as a decimal string such as "1234.50", not a binary number')
    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str) or not _AMOUNT.match(raw):
        return FieldError(path, 'must be a positive decimal string such as "1234.50"')
    cur = currency(code)
    try:
        value = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return FieldError(path, "is not a decimal number")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > cur.minor_units:
        return FieldError(path, f"{code} has {cur.minor_units} decimal places; {raw!r} has {-exponent}")
    minor = int(value.scaleb(cur.minor_units))
    if minor <= 0:
        return FieldError(path, "must be greater than zero")
    if minor > MAX_MINOR:
        return FieldError(path, f"exceeds the largest amount a ledger takes ({cur.format(MAX_MINOR)} {code})")
    return minor
