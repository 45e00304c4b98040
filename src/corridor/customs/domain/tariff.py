"""Effective-dated tariff rows and their lookup by commodity code (longest prefix wins).

A row states one tax (``tax``, a WCO DutyTaxFee-like type code such as ``RU-IMPORT-DUTY`` or
``IN-IGST``) for every commodity code that starts with ``code``. The code ``*`` matches every
commodity code with the lowest priority (prefix length 0). Among the rows of one tax that are in
force on a date, the one with the longest matching prefix applies.

Pure: the rows are built by ``corridor.refdata.tariffs`` from the shipped data files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from corridor.shared.errors import NotFound
from corridor.shared.money import Money

RateKind = Literal["ad_valorem", "specific", "combined", "not_levied"]
RATE_KINDS: tuple[RateKind, ...] = ("ad_valorem", "specific", "combined", "not_levied")

ALL_CODES = "*"

NATIONAL_CURRENCY: dict[str, str] = {"RU": "RUB", "IN": "INR"}
PRIMARY_DUTY: dict[str, str] = {"RU": "RU-IMPORT-DUTY", "IN": "IN-BCD"}

# Units of a specific rate (UN/ECE Rec 20). Mass units are measured on the line's net mass.
MASS_UNITS_IN_KG: dict[str, Decimal] = {"KGM": Decimal("1"), "TNE": Decimal("1000")}


class TariffNotFound(NotFound):
    """No tariff row in force for a code, tax and date."""


def normalise_code(code: str) -> str:
    """Drop the spaces and dots people write in tariff codes: ``8517 13 000 0`` -> ``8517130000``."""
    cleaned = code.replace(" ", "").replace(".", "")
    if cleaned == ALL_CODES:
        return cleaned
    if not cleaned.isdigit() or not 2 <= len(cleaned) <= 10:
        raise ValueError(f"tariff code {code!r} must be 2 to 10 digits (spaces and dots allowed)")
    return cleaned


@dataclass(frozen=True, slots=True)
class SpecificRate:
    """An amount of money per quantity of a unit, e.g. 0.4 EUR per 1 KGM or 50 INR per 1 TNE."""

    amount: Money
    per: Decimal
    unit: str

    def describe(self) -> str:
        per = "" if self.per == 1 else f"{self.per} "
        return f"{self.amount.amount} {self.amount.currency}/{per}{self.unit}"


@dataclass(frozen=True, slots=True)
class TariffRow:
    code: str
    tax: str
    kind: RateKind
    valid_from: date
    source: str
    valid_to: date | None = None
    ad_valorem_percent: Decimal | None = None
    specific: SpecificRate | None = None
    description: str = ""
    verified: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in RATE_KINDS:
            raise ValueError(f"rate kind {self.kind!r} is not one of {', '.join(RATE_KINDS)}")
        needs_percent = self.kind in ("ad_valorem", "combined")
        needs_specific = self.kind in ("specific", "combined")
        if needs_percent != (self.ad_valorem_percent is not None):
            raise ValueError(
                f"kind {self.kind} {'needs' if needs_percent else 'takes no'} ad_valorem_percent"
            )
        if needs_specific != (self.specific is not None):
            raise ValueError(f"kind {self.kind} {'needs' if needs_specific else 'takes no'} specific rate")
        if self.ad_valorem_percent is not None and self.ad_valorem_percent < 0:
            raise ValueError("ad_valorem_percent must not be negative")
        if self.specific is not None and (self.specific.amount.amount < 0 or self.specific.per <= 0):
            raise ValueError("a specific rate must be non-negative per a positive quantity")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if not self.source.strip():
            raise ValueError("every tariff row needs a source")

    @property
    def prefix_length(self) -> int:
        return 0 if self.code == ALL_CODES else len(self.code)

    def matches(self, code: str) -> bool:
        return self.code == ALL_CODES or code.startswith(self.code)

    def in_force(self, on_date: date) -> bool:
        return self.valid_from <= on_date and (self.valid_to is None or on_date <= self.valid_to)

    def describe_rate(self) -> str:
        if self.kind == "ad_valorem":
            return f"{self.ad_valorem_percent} %"
        if self.kind == "specific":
            assert self.specific is not None
            return self.specific.describe()
        if self.kind == "combined":
            assert self.specific is not None
            return f"{self.ad_valorem_percent} % but not less than {self.specific.describe()}"
        return "not levied"


@dataclass(frozen=True, slots=True)
class TariffBook:
    """All tariff rows of one importing country (``RU`` or ``IN``)."""

    country: str
    rows: tuple[TariffRow, ...]
    source_name: str = ""
    _by_tax: dict[str, tuple[TariffRow, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.country not in NATIONAL_CURRENCY:
            raise ValueError(f"country {self.country!r} is not one of {', '.join(NATIONAL_CURRENCY)}")
        grouped: dict[str, list[TariffRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.tax, []).append(row)
        object.__setattr__(self, "_by_tax", {tax: tuple(rows) for tax, rows in grouped.items()})

    @classmethod
    def of(cls, country: str, rows: Iterable[TariffRow], source_name: str = "") -> TariffBook:
        return cls(country, tuple(rows), source_name)

    @property
    def currency(self) -> str:
        return NATIONAL_CURRENCY[self.country]

    @property
    def taxes(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_tax))

    def find(self, code: str, on_date: date, tax: str | None = None) -> TariffRow | None:
        """The row in force on ``on_date`` with the longest prefix of ``code``, or None."""
        wanted = normalise_code(code)
        tax_code = tax or PRIMARY_DUTY[self.country]
        candidates = [
            row for row in self._by_tax.get(tax_code, ()) if row.matches(wanted) and row.in_force(on_date)
        ]
        if not candidates:
            return None
        best = max(row.prefix_length for row in candidates)
        winners = [row for row in candidates if row.prefix_length == best]
        if len(winners) > 1:
            raise ValueError(
                f"{len(winners)} {tax_code} rows for prefix {winners[0].code} overlap on {on_date.isoformat()}"
            )
        return winners[0]

    def lookup(self, code: str, on_date: date, tax: str | None = None) -> TariffRow:
        """Like :meth:`find` but raises :class:`TariffNotFound` when no row applies.

        ``tax`` defaults to the country's import duty (``RU-IMPORT-DUTY`` / ``IN-BCD``)."""
        row = self.find(code, on_date, tax)
        if row is None:
            tax_code = tax or PRIMARY_DUTY[self.country]
            raise TariffNotFound(
                f"no {tax_code} row in the {self.country} tariff for code {code} on {on_date.isoformat()}"
            )
        return row
