"""The duties and taxes assessed on an import declaration, as the declaration holds them: per goods
item its WCO ``DutyTaxFee`` lines (duty regime, ad valorem base, specific base quantity and
``Payment.TaxAssessedAmount``), the totals per currency and per type, and the customs valuation
they rest on. Every line names its source.

``to_json`` writes the shape stored with the declaration and served by the API; ``from_json`` reads
it back, and also the shape written before the WCO alignment (``TaxAssessedAmount`` directly under
``DutyTaxFee``, no ``DutyRegimeCode``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from corridor.customs.domain.valuation import CustomsValuation
from corridor.shared.money import Money, zero

DUTY_REGIME_GENERAL = "100"
"""WCO DutyTaxFee.DutyRegimeCode as in UK CDS (DE 4/17): 100, the general third-country duty
(erga omnes); the corridor's tariff books hold no preferential rates."""


@dataclass(frozen=True, slots=True)
class DutyTaxFee:
    """One computed duty or tax (WCO ``DutyTaxFee``)."""

    type_code: str
    base: Money  # AdValoremTaxBaseAmount
    rate: str  # the rate as the tariff states it
    rate_percent: Decimal | None
    amount: Money  # Payment.TaxAssessedAmount
    source: str
    levied: bool = True
    specific_quantity: Decimal | None = None  # SpecificTaxBaseQuantity
    specific_unit: str | None = None
    verified: bool = True
    note: str = ""
    regime: str = DUTY_REGIME_GENERAL  # DutyRegimeCode

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "TypeCode": self.type_code,
            "DutyRegimeCode": self.regime,
            "AdValoremTaxBaseAmount": self.base.to_json(),
            "TaxRate": self.rate,
            "TaxRateNumeric": None if self.rate_percent is None else str(self.rate_percent),
            "Payment": {"TaxAssessedAmount": self.amount.to_json()},
            "Levied": self.levied,
            "Source": self.source,
            "Verified": self.verified,
        }
        if self.specific_quantity is not None:
            out["SpecificTaxBaseQuantity"] = {
                "value": str(self.specific_quantity),
                "unitCode": self.specific_unit,
            }
        if self.note:
            out["Note"] = self.note
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DutyTaxFee:
        payment = data.get("Payment")
        assessed = payment["TaxAssessedAmount"] if isinstance(payment, Mapping) else data["TaxAssessedAmount"]
        specific = data.get("SpecificTaxBaseQuantity")
        numeric = data.get("TaxRateNumeric")
        return cls(
            type_code=str(data["TypeCode"]),
            base=Money.from_json(data["AdValoremTaxBaseAmount"]),
            rate=str(data.get("TaxRate", "")),
            rate_percent=None if numeric is None else Decimal(str(numeric)),
            amount=Money.from_json(assessed),
            source=str(data.get("Source", "")),
            levied=bool(data.get("Levied", True)),
            specific_quantity=None if specific is None else Decimal(str(specific["value"])),
            specific_unit=None if specific is None else specific.get("unitCode"),
            verified=bool(data.get("Verified", True)),
            note=str(data.get("Note", "")),
            regime=str(data.get("DutyRegimeCode", DUTY_REGIME_GENERAL)),
        )


@dataclass(frozen=True, slots=True)
class LineAssessment:
    """The duties and taxes of one goods item, on its share of the customs value."""

    sequence: int
    tariff_code: str
    customs_value: Money
    taxes: tuple[DutyTaxFee, ...]

    def tax(self, type_code: str) -> DutyTaxFee | None:
        return next((t for t in self.taxes if t.type_code == type_code), None)

    def amount(self, type_code: str) -> Money:
        found = self.tax(type_code)
        return found.amount if found is not None else zero(self.customs_value.currency)

    @property
    def total(self) -> Money:
        total = zero(self.customs_value.currency)
        for tax in self.taxes:
            total = total + tax.amount
        return total

    def to_json(self) -> dict[str, object]:
        return {
            "SequenceNumeric": self.sequence,
            "ClassificationID": self.tariff_code,
            "CustomsValueAmount": self.customs_value.to_json(),
            "DutyTaxFee": [t.to_json() for t in self.taxes],
            "Total": self.total.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LineAssessment:
        return cls(
            sequence=int(data["SequenceNumeric"]),
            tariff_code=str(data["ClassificationID"]),
            customs_value=Money.from_json(data["CustomsValueAmount"]),
            taxes=tuple(DutyTaxFee.from_json(t) for t in data.get("DutyTaxFee", ())),
        )


@dataclass(frozen=True, slots=True)
class Assessment:
    """An import declaration's duties and taxes, line by line, and the valuation they rest on."""

    country: str
    on_date: date
    lines: tuple[LineAssessment, ...]
    valuation: CustomsValuation | None = None

    @property
    def totals(self) -> dict[str, Money]:
        """Grand total of all duties and taxes per currency."""
        out: dict[str, Money] = {}
        for line in self.lines:
            for tax in line.taxes:
                out[tax.amount.currency] = (
                    out.get(tax.amount.currency, zero(tax.amount.currency)) + tax.amount
                )
        return out

    @property
    def totals_by_type(self) -> dict[str, Money]:
        out: dict[str, Money] = {}
        for line in self.lines:
            for tax in line.taxes:
                out[tax.type_code] = out.get(tax.type_code, zero(tax.amount.currency)) + tax.amount
        return out

    def payable(self) -> list[Money]:
        """The totals, one per currency in the order of the currency codes: what the importer pays."""
        return [money for _, money in sorted(self.totals.items())]

    def valued(self, valuation: CustomsValuation) -> Assessment:
        return replace(self, valuation=valuation)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "country": self.country,
            "date": self.on_date.isoformat(),
            "lines": [line.to_json() for line in self.lines],
            "totalsByType": {code: money.to_json() for code, money in sorted(self.totals_by_type.items())},
            "totals": [money.to_json() for money in self.payable()],
        }
        if self.valuation is not None:
            out["valuation"] = self.valuation.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Assessment:
        valuation = data.get("valuation")
        return cls(
            country=str(data["country"]),
            on_date=date.fromisoformat(data["date"]),
            lines=tuple(LineAssessment.from_json(line) for line in data.get("lines", ())),
            valuation=None if valuation is None else CustomsValuation.from_json(valuation),
        )
