"""The assessment a declaration holds: typed in the aggregate, JSON only at the edges, and the JSON
read back is written again unchanged (stored rows, served answers and messages keep their shape)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.customs.domain.assessment import DUTY_REGIME_GENERAL, Assessment, DutyTaxFee
from corridor.customs.domain.duties import DutyLine, assess_import
from corridor.customs.domain.exchange import Quote
from corridor.customs.domain.valuation import CustomsValuation, customs_value
from corridor.customs.legacy import upgrade_assessment
from corridor.refdata.tariffs import exchange_rates, tariff_book
from corridor.shared.money import Money

RATES = exchange_rates()
BOOKS = {"RU": tariff_book("RU"), "IN": tariff_book("IN")}
CODES = {
    "RU": ["8517130000", "0306179100", "1601009900", "0902300000"],
    "IN": ["27090010", "27011200", "31053000", "71023100"],
}
CURRENCY = {"RU": "RUB", "IN": "INR"}
LEGACY = json.loads(
    (Path(__file__).parents[2] / "integration/fixtures/pre-wco-declarations.json").read_text()
)


def as_stored(value: Any) -> Any:
    """What a JSON column gives back."""
    return json.loads(json.dumps(value))


def assessed(country: str, code: str, invoice: Decimal, term: str, on: date) -> Assessment:
    freight = Money(invoice * Decimal("0.08"), "USD").rounded()
    valuation = customs_value(Money(invoice, "USD"), term, freight, None, country, on, RATES)
    line = DutyLine(1, code, valuation.customs_value, Decimal("1200.5"), Decimal("1200.5"), "KGM")
    return assess_import(country, [line], on, BOOKS[country], RATES).valued(valuation)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=timedelta(seconds=2))
@given(
    country=st.sampled_from(["RU", "IN"]),
    pick=st.integers(min_value=0, max_value=3),
    invoice=st.decimals(min_value=Decimal("1"), max_value=Decimal("100000000"), places=2),
    term=st.sampled_from(["FOB", "CFR", "CIF", "EXW", "DAP"]),
    on=st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 6, 30)),
)
def test_the_stored_json_reads_back_to_the_same_assessment_and_is_written_again_unchanged(
    country: str, pick: int, invoice: Decimal, term: str, on: date
) -> None:
    assessment = assessed(country, CODES[country][pick], invoice, term, on)
    stored = as_stored(assessment.to_json())
    again = Assessment.from_json(stored)
    assert again.to_json() == stored
    assert again.totals == assessment.totals
    assert again.payable() == [assessment.totals[CURRENCY[country]]]


def test_the_typed_assessment_names_the_wco_duty_tax_fee_parts() -> None:
    # 1601 00 990 0 (sausages) is combined: the larger of ad valorem and a specific rate per kg
    assessment = assessed("RU", "1601009900", Decimal("10"), "FOB", date(2026, 3, 1))
    duty = assessment.lines[0].tax("RU-IMPORT-DUTY")
    assert duty is not None and duty.regime == DUTY_REGIME_GENERAL
    assert duty.specific_quantity is not None and duty.specific_unit == "KGM"
    fee = as_stored(assessment.to_json())["lines"][0]["DutyTaxFee"][0]
    assert fee["SpecificTaxBaseQuantity"] == {"value": str(duty.specific_quantity), "unitCode": "KGM"}
    assert fee["Payment"] == {"TaxAssessedAmount": duty.amount.to_json()}
    read = DutyTaxFee.from_json(fee)
    assert read == duty
    assert assessment.valuation is not None
    assert assessment.valuation.quotes[0].sources, "the rate names its source"


def test_a_stored_assessment_written_before_the_wco_alignment_reads_as_its_migrated_form() -> None:
    legacy = LEGACY["import_assessment"]
    assert "TaxAssessedAmount" in legacy["lines"][0]["DutyTaxFee"][0]
    old = Assessment.from_json(legacy)
    assert old == Assessment.from_json(upgrade_assessment(legacy))
    assert old.to_json() == upgrade_assessment(legacy)
    assert old.payable() == [Money.of("795520.09", "RUB")]
    assert old.valuation is not None and old.valuation.incoterm == "CFR"


def test_an_exchange_quote_keeps_its_sources_and_sample_flag() -> None:
    quote = RATES.quote("USD", "RUB", date(2026, 3, 1))
    assert quote.sample and quote.sources
    assert Quote.from_json(as_stored(quote.to_json())) == quote
    valuation = customs_value(Money.of("1000", "USD"), "CIF", None, None, "RU", date(2026, 3, 1), RATES)
    assert CustomsValuation.from_json(as_stored(valuation.to_json())) == valuation
