"""The node's assessor: risk lanes and import duties from the shipped reference data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from corridor.customs.domain.assessment import Assessment
from corridor.customs.domain.duties import DutyLine, assess_import
from corridor.customs.domain.exchange import RateTable
from corridor.customs.domain.risk import (
    HsCheck,
    RiskDecision,
    RiskItem,
    RiskSubject,
    RuleSet,
    assess,
    compile_rules,
)
from corridor.customs.domain.rules import mass_in_kg, national_code
from corridor.customs.domain.tariff import TariffBook
from corridor.customs.domain.valuation import customs_value
from corridor.customs.domain.wco import AmountType as Amount
from corridor.customs.domain.wco import DeclarationType as Declaration
from corridor.refdata.risk_rules import risk_rules
from corridor.refdata.tariffs import exchange_rates, tariff_book
from corridor.service.ports import Trader
from corridor.shared.money import Money

USD = "USD"


def money(amount: Amount) -> Money:
    return Money(amount.value, amount.currencyID)


@dataclass
class ReferenceAssessor:
    """Risk with the node's rules and its secret random-selection key; duties with its tariff
    book and exchange rates."""

    country: str
    rules: RuleSet
    book: TariffBook
    rates: RateTable
    selection_key: bytes = field(repr=False)
    hs_check: HsCheck | None = None  # declared code against description (rule hs_description_mismatch)

    @classmethod
    def for_country(
        cls, country: str, selection_key: bytes, hs_check: HsCheck | None = None
    ) -> ReferenceAssessor:
        return cls(
            country,
            compile_rules(risk_rules(country)),
            tariff_book(country),
            exchange_rates(),
            selection_key,
            hs_check,
        )

    def risk(
        self, declaration: Declaration, flow: str, trader: Trader | None, declaration_id: str, at: datetime
    ) -> RiskDecision:
        on_date = at.date()
        items = []
        for item in declaration.GoodsShipment.GovernmentAgencyGoodsItem:
            measure = item.GoodsMeasure
            items.append(
                RiskItem(
                    sequence=item.SequenceNumeric,
                    hs_code=national_code(item.Commodity.Classification, self.country),
                    quantity=measure.TariffQuantity.value,
                    unit=measure.TariffQuantity.unitCode,
                    value_usd=self.rates.convert(
                        money(item.Commodity.InvoiceLine.ItemChargeAmount), USD, on_date
                    ).amount,
                    net_mass_kg=mass_in_kg(measure.NetNetWeightMeasure) or Decimal(0),
                    description=item.Commodity.Description,
                )
            )
        origins = {item.Origin.CountryCode for item in declaration.GoodsShipment.GovernmentAgencyGoodsItem}
        subject = RiskSubject(
            declaration_id=declaration_id,
            node_country=self.country,  # type: ignore[arg-type]
            flow=flow,  # type: ignore[arg-type]
            trader_id=trader.id if trader else "",
            trader_is_aeo=bool(trader and trader.aeo),
            trader_prior_declarations=trader.declarations if trader else 0,
            origin_country=sorted(origins)[0],
            items=items,
            on_date=on_date,
            hs_check=self.hs_check,
        )
        decision = assess(subject, self.rules, selection_key=self.selection_key)
        if any(rule.kind == "hs_description_mismatch" for rule in self.rules.rules):
            reason = (
                self.hs_check.unavailable_reason()
                if self.hs_check
                else "this node has no HS description check"
            )
            return decision.noting_hs_check("run" if reason is None else f"not run, rule inert: {reason}")
        return decision

    def duties(self, declaration: Declaration, at: datetime) -> Assessment:
        on_date = at.date()
        declared = declaration.GoodsShipment.CustomsValuation
        freight = money(declared.FreightChargeAmount) if declared and declared.FreightChargeAmount else None
        insurance = money(declared.InsuranceAmount) if declared and declared.InsuranceAmount else None
        invoice_total = money(declaration.InvoiceAmount)
        valuation = customs_value(
            invoice_total,
            declaration.GoodsShipment.TradeTerms.ConditionCode,
            freight,
            insurance,
            self.country,
            on_date,
            self.rates,
        )
        items = declaration.GoodsShipment.GovernmentAgencyGoodsItem
        lines = []
        allocated = Decimal(0)
        total_value = valuation.customs_value.amount
        for index, item in enumerate(items):
            if index == len(items) - 1:
                share = total_value - allocated
            else:
                charge = item.Commodity.InvoiceLine.ItemChargeAmount.value
                share = (total_value * charge / invoice_total.amount).quantize(Decimal("0.01"))
                allocated += share
            measure = item.GoodsMeasure
            lines.append(
                DutyLine(
                    sequence=item.SequenceNumeric,
                    tariff_code=national_code(item.Commodity.Classification, self.country),
                    customs_value=Money(share, valuation.customs_value.currency),
                    net_mass_kg=mass_in_kg(measure.NetNetWeightMeasure) or Decimal(0),
                    quantity=measure.TariffQuantity.value,
                    unit=measure.TariffQuantity.unitCode,
                )
            )
        assessment = assess_import(self.country, lines, on_date, self.book, self.rates)  # type: ignore[arg-type]
        return assessment.valued(valuation)
