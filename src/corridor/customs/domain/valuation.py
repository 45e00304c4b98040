"""Customs value: the transaction value adjusted to CIF (place of arrival) in the national currency.

Incoterms 2020 groups and what is added to the invoice total:

* E (EXW) and F (FCA, FAS, FOB): the seller's price stops at or before the port of loading, so
  freight and insurance to the place of arrival are added;
* C without insurance (CFR, CPT): freight is in the price, insurance is added;
* C with insurance (CIF, CIP): already CIF, taken as is;
* D (DAP, DPU, DDP): the price includes carriage to (or beyond) the place of arrival; without a
  breakdown of the costs after arrival it is taken as is.

Russia (EAEU Customs Code art. 40 p.1 sub-p.4): costs of transport to the place of arrival and of
insurance are added as actually incurred, so freight must be declared for E/F terms; insurance
not declared counts as none taken.
India (Customs Valuation (Determination of Value of Imported Goods) Rules, 2007, rule 10(2)):
freight not ascertainable -> 20 % of FOB; insurance not ascertainable -> 1.125 % of FOB. The
former 1 % landing charge is no longer added (rule 10(2) as amended by Notification No.
91/2017-Customs (N.T.)).

Every amount is converted at the rate in force on ``on_date`` (the date of the declaration / bill
of entry) and rounded half-up to 0.01 of the national currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from corridor.customs.domain.exchange import Quote, RateTable
from corridor.customs.domain.tariff import NATIONAL_CURRENCY
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.money import Money, zero

E_TERMS = frozenset({"EXW"})
F_TERMS = frozenset({"FCA", "FAS", "FOB"})
C_NO_INSURANCE = frozenset({"CFR", "CPT"})
C_WITH_INSURANCE = frozenset({"CIF", "CIP"})
D_TERMS = frozenset({"DAP", "DPU", "DDP"})
INCOTERMS_2020 = E_TERMS | F_TERMS | C_NO_INSURANCE | C_WITH_INSURANCE | D_TERMS

IN_FREIGHT_SHARE = Decimal("0.20")
IN_INSURANCE_SHARE = Decimal("0.01125")

SOURCE_RU_TRANSACTION = "EAEU Customs Code art. 39 (transaction value method)"
SOURCE_RU_FREIGHT = "EAEU Customs Code art. 40 p.1 sub-p.4: cost of transport to the place of arrival"
SOURCE_RU_INSURANCE = "EAEU Customs Code art. 40 p.1 sub-p.4: cost of insurance in connection with transport"
SOURCE_IN_TRANSACTION = "Customs Act 1962 s.14; Customs Valuation Rules 2007 rule 3 (transaction value)"
SOURCE_IN_FREIGHT = (
    "Customs Valuation Rules 2007 rule 10(2)(a): cost of transport to the place of importation"
)
SOURCE_IN_FREIGHT_20 = (
    "Customs Valuation Rules 2007 rule 10(2), proviso (i): freight not ascertainable, 20 % of FOB"
)
SOURCE_IN_INSURANCE = (
    "Customs Valuation Rules 2007 rule 10(2)(b): cost of insurance to the place of importation"
)
SOURCE_IN_INSURANCE_1125 = (
    "Customs Valuation Rules 2007 rule 10(2), proviso (ii): insurance not ascertainable, 1.125 % of FOB"
)
SOURCE_RATE = {
    "RU": "Bank of Russia official rate in force on the day the declaration is registered",
    "IN": "CBIC-notified import exchange rate in force on the date of the bill of entry (Customs Act 1962 s.14)",
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One element of the customs value: the invoice price or an addition to it."""

    kind: str  # TRANSACTION_VALUE | FREIGHT | INSURANCE
    original: Money
    amount: Money  # in the national currency, rounded to 0.01
    source: str
    estimated: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "original": self.original.to_json(),
            "amount": self.amount.to_json(),
            "estimated": self.estimated,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Adjustment:
        return cls(
            str(data["kind"]),
            Money.from_json(data["original"]),
            Money.from_json(data["amount"]),
            str(data.get("source", "")),
            bool(data.get("estimated", False)),
        )


@dataclass(frozen=True, slots=True)
class CustomsValuation:
    """The customs value of a consignment (WCO ``CustomsValuation``) and how it was reached."""

    country: str
    incoterm: str
    on_date: date
    invoice_total: Money
    adjustments: tuple[Adjustment, ...]
    customs_value: Money
    quotes: tuple[Quote, ...]
    notes: tuple[str, ...]

    def adjustment(self, kind: str) -> Adjustment | None:
        return next((a for a in self.adjustments if a.kind == kind), None)

    def to_json(self) -> dict[str, object]:
        return {
            "country": self.country,
            "incoterm": self.incoterm,
            "date": self.on_date.isoformat(),
            "invoiceTotal": self.invoice_total.to_json(),
            "adjustments": [a.to_json() for a in self.adjustments],
            "customsValue": self.customs_value.to_json(),
            "exchangeRates": [q.to_json() for q in self.quotes],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CustomsValuation:
        return cls(
            country=str(data["country"]),
            incoterm=str(data["incoterm"]),
            on_date=date.fromisoformat(data["date"]),
            invoice_total=Money.from_json(data["invoiceTotal"]),
            adjustments=tuple(Adjustment.from_json(a) for a in data.get("adjustments", ())),
            customs_value=Money.from_json(data["customsValue"]),
            quotes=tuple(Quote.from_json(q) for q in data.get("exchangeRates", ())),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )


class _Converter:
    def __init__(self, country: str, currency: str, on_date: date, rates: RateTable) -> None:
        self.country = country
        self.currency = currency
        self.on_date = on_date
        self.rates = rates
        self.quotes: dict[str, Quote] = {}

    def __call__(self, money: Money) -> Money:
        if money.currency not in self.quotes:
            self.quotes[money.currency] = self.rates.quote(money.currency, self.currency, self.on_date)
        rate = self.quotes[money.currency].rate
        return Money(money.amount * rate, self.currency).rounded()


def _check_inputs(
    invoice_total: Money, incoterm: str, freight: Money | None, insurance: Money | None, country: str
) -> str:
    errors: list[FieldError] = []
    term = incoterm.strip().upper()
    if term not in INCOTERMS_2020:
        errors.append(
            FieldError(
                "Declaration.GoodsShipment.TradeTerms.ConditionCode",
                f"{incoterm!r} is not an Incoterms 2020 rule",
            )
        )
    if country not in NATIONAL_CURRENCY:
        errors.append(FieldError("Declaration.ImportCountry", f"{country!r} is not one of RU, IN"))
    if invoice_total.amount <= 0:
        errors.append(FieldError("Declaration.InvoiceAmount", "must be positive"))
    for path, cost in (
        ("Declaration.GoodsShipment.CustomsValuation.FreightChargeAmount", freight),
        ("Declaration.GoodsShipment.CustomsValuation.InsuranceAmount", insurance),
    ):
        if cost is not None and cost.amount < 0:
            errors.append(FieldError(path, "must not be negative"))
    if term in E_TERMS | F_TERMS and country == "RU" and freight is None:
        errors.append(
            FieldError(
                "Declaration.GoodsShipment.CustomsValuation.FreightChargeAmount",
                f"freight to the place of arrival must be declared for {term} (EAEU Customs Code art. 40)",
            )
        )
    if errors:
        raise InvalidInput(errors)
    return term


def customs_value(
    invoice_total: Money,
    incoterm: str,
    freight: Money | None,
    insurance: Money | None,
    country: str,
    on_date: date,
    rates: RateTable,
) -> CustomsValuation:
    """The CIF customs value of a consignment in RUB (``country="RU"``) or INR (``country="IN"``).

    ``freight`` and ``insurance`` are the costs to the place of arrival, in any currency the rate
    table can convert; ``None`` means not declared / not ascertainable."""
    term = _check_inputs(invoice_total, incoterm, freight, insurance, country)
    convert = _Converter(country, NATIONAL_CURRENCY[country], on_date, rates)
    notes = _term_notes(term, freight, insurance)
    adjustments = [
        Adjustment(
            "TRANSACTION_VALUE",
            invoice_total,
            convert(invoice_total),
            SOURCE_RU_TRANSACTION if country == "RU" else SOURCE_IN_TRANSACTION,
        )
    ]
    fob = _fob_base(term, invoice_total, freight, notes)
    if term in E_TERMS | F_TERMS:
        adjustments.append(_freight(freight, fob, country, convert))
    if term in E_TERMS | F_TERMS | C_NO_INSURANCE:
        insured = _insurance(insurance, fob, country, convert)
        if insured is not None:
            adjustments.append(insured)
        else:
            notes.append(
                "no insurance declared: nothing added (EAEU Customs Code art. 40 adds insurance actually paid)"
            )
    total = zero(convert.currency)
    for adjustment in adjustments:
        total = total + adjustment.amount
    notes.append(SOURCE_RATE[country])
    return CustomsValuation(
        country=country,
        incoterm=term,
        on_date=on_date,
        invoice_total=invoice_total,
        adjustments=tuple(adjustments),
        customs_value=total.rounded(),
        quotes=tuple(convert.quotes.values()),
        notes=tuple(notes),
    )


def _term_notes(term: str, freight: Money | None, insurance: Money | None) -> list[str]:
    """What the Incoterms rule means for the value: taken as is (CIF, CIP, D-terms), or EXW's extra costs."""
    notes: list[str] = []
    if term not in E_TERMS | F_TERMS | C_NO_INSURANCE:
        notes.append(
            f"{term}: the price already covers carriage and insurance to the place of arrival; taken as is"
        )
        if freight is not None or insurance is not None:
            notes.append(f"declared freight/insurance not added: already included in the {term} price")
    if term in E_TERMS:
        notes.append(
            "EXW: costs of loading and transport to the port of shipment must be in the declared freight"
        )
    return notes


def _fob_base(term: str, invoice_total: Money, freight: Money | None, notes: list[str]) -> Money:
    """The FOB-equivalent base for India's percentage rules: the invoice, less freight under CFR/CPT."""
    if term not in C_NO_INSURANCE:
        return invoice_total
    if freight is not None and freight.currency == invoice_total.currency:
        return invoice_total - freight
    notes.append(f"{term}: FOB not separable from the invoice; the invoice total is used as the FOB base")
    return invoice_total


def _freight(freight: Money | None, fob: Money, country: str, convert: _Converter) -> Adjustment:
    """Freight to the place of arrival: as declared, or (India only) 20% of FOB."""
    if freight is not None:
        source = SOURCE_RU_FREIGHT if country == "RU" else SOURCE_IN_FREIGHT
        return Adjustment("FREIGHT", freight, convert(freight), source)
    # only India reaches here: Russia requires declared freight
    estimate = fob.times(IN_FREIGHT_SHARE)
    return Adjustment("FREIGHT", estimate, convert(estimate), SOURCE_IN_FREIGHT_20, True)


def _insurance(insurance: Money | None, fob: Money, country: str, convert: _Converter) -> Adjustment | None:
    """Insurance: as declared, or (India only) 1.125% of FOB; ``None`` when Russia has none to add."""
    if insurance is not None:
        source = SOURCE_RU_INSURANCE if country == "RU" else SOURCE_IN_INSURANCE
        return Adjustment("INSURANCE", insurance, convert(insurance), source)
    if country == "IN":
        estimate = fob.times(IN_INSURANCE_SHARE)
        return Adjustment("INSURANCE", estimate, convert(estimate), SOURCE_IN_INSURANCE_1125, True)
    return None
