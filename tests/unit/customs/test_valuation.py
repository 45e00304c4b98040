"""Customs value to CIF per Incoterms 2020 group, for Russia (EAEU) and India."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from corridor.customs.domain.exchange import ExchangeRate, RateNotFound, RateTable
from corridor.customs.domain.valuation import customs_value
from corridor.refdata.tariffs import exchange_rates
from corridor.shared.errors import InvalidInput
from corridor.shared.money import Money

RATES = exchange_rates()  # sample rates: USD 80.00 RUB (2026 H1), 81.00 RUB (2025 Q4), 89.50 INR (2025 Q4)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_fob_smartphones_into_russia_2026() -> None:
    # FOB USD 10,000 + freight USD 800 + insurance USD 50 = CIF USD 10,850
    # at 80.00 RUB/USD on 2026-03-01: 800,000.00 + 64,000.00 + 4,000.00 = 868,000.00 RUB
    result = customs_value(usd("10000"), "FOB", usd("800"), usd("50"), "RU", date(2026, 3, 1), RATES)
    assert result.customs_value == Money.of("868000.00", "RUB")
    assert [a.kind for a in result.adjustments] == ["TRANSACTION_VALUE", "FREIGHT", "INSURANCE"]
    freight = result.adjustment("FREIGHT")
    assert freight is not None and freight.amount == Money.of("64000.00", "RUB")
    assert "art. 40" in freight.source
    assert result.quotes[0].rate == Decimal("80.00")


def test_same_consignment_on_2025_12_01() -> None:
    # CIF USD 10,850 x 81.00 RUB/USD = 878,850.00 RUB
    result = customs_value(usd("10000"), "FOB", usd("800"), usd("50"), "RU", date(2025, 12, 1), RATES)
    assert result.customs_value == Money.of("878850.00", "RUB")


def test_russia_fob_without_freight_is_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        customs_value(usd("10000"), "FOB", None, None, "RU", date(2026, 3, 1), RATES)
    assert caught.value.errors[0].path.endswith("CustomsValuation.FreightChargeAmount")


def test_russia_cfr_without_insurance_adds_nothing() -> None:
    # CFR USD 10,800, no insurance taken: 10,800 x 80.00 = 864,000.00 RUB
    result = customs_value(usd("10800"), "CFR", None, None, "RU", date(2026, 3, 1), RATES)
    assert result.customs_value == Money.of("864000.00", "RUB")
    assert result.adjustment("INSURANCE") is None
    assert any("no insurance" in note for note in result.notes)


def test_india_fob_with_unknown_freight_and_insurance() -> None:
    # FOB USD 100,000 on 2025-10-15 (89.50 INR/USD):
    #   freight not ascertainable: 20 % of FOB = USD 20,000 -> 1,790,000.00 INR
    #   insurance not ascertainable: 1.125 % of FOB = USD 1,125 -> 100,687.50 INR
    #   FOB 8,950,000.00 INR; CIF = 10,840,687.50 INR
    result = customs_value(usd("100000"), "FOB", None, None, "IN", date(2025, 10, 15), RATES)
    assert result.customs_value == Money.of("10840687.50", "INR")
    freight = result.adjustment("FREIGHT")
    insurance = result.adjustment("INSURANCE")
    assert freight is not None and freight.estimated and freight.original == usd("20000.00")
    assert insurance is not None and insurance.estimated and insurance.amount == Money.of("100687.50", "INR")
    assert "1.125 %" in insurance.source and "rule 10" in insurance.source


def test_india_cfr_insurance_on_fob_part() -> None:
    # CFR USD 110,000 with freight USD 10,000 -> FOB USD 100,000; insurance 1.125 % = USD 1,125
    # CIF USD 111,125 x 89.50 = 9,945,687.50 INR
    result = customs_value(usd("110000"), "CFR", usd("10000"), None, "IN", date(2025, 10, 15), RATES)
    assert result.customs_value == Money.of("9945687.50", "INR")
    assert result.adjustment("FREIGHT") is None


@pytest.mark.parametrize("term", ["CIF", "CIP", "DAP", "DPU", "DDP"])
def test_cif_and_d_terms_taken_as_is(term: str) -> None:
    # USD 10,000 x 80.00 = 800,000.00 RUB; declared freight is already in the price
    result = customs_value(usd("10000"), term, usd("700"), None, "RU", date(2026, 3, 1), RATES)
    assert result.customs_value == Money.of("800000.00", "RUB")
    assert len(result.adjustments) == 1
    assert any("not added" in note for note in result.notes)


def test_costs_in_another_currency_are_converted_separately() -> None:
    # invoice EUR 10,000 x 93.00 = 930,000.00; freight USD 500 x 80.00 = 40,000.00; CIF 970,000.00 RUB
    result = customs_value(
        Money.of("10000", "EUR"), "FCA", usd("500"), Money.of("0", "RUB"), "RU", date(2026, 3, 1), RATES
    )
    assert result.customs_value == Money.of("970000.00", "RUB")
    assert {q.from_currency for q in result.quotes} == {"EUR", "USD", "RUB"}


def test_exw_lowercase_term_accepted() -> None:
    result = customs_value(usd("1000"), "exw", usd("100"), usd("10"), "RU", date(2026, 3, 1), RATES)
    assert result.incoterm == "EXW"
    assert result.customs_value == Money.of("88800.00", "RUB")  # 1,110 x 80.00


def test_bad_input_names_fields() -> None:
    with pytest.raises(InvalidInput) as caught:
        customs_value(usd("-1"), "FOBB", None, None, "CN", date(2026, 3, 1), RATES)
    paths = {e.path for e in caught.value.errors}
    assert "Declaration.GoodsShipment.TradeTerms.ConditionCode" in paths
    assert "Declaration.ImportCountry" in paths
    assert "Declaration.InvoiceAmount" in paths


def test_missing_rate_is_an_error() -> None:
    with pytest.raises(RateNotFound):
        customs_value(usd("1000"), "CIF", None, None, "RU", date(2024, 6, 1), RATES)


def test_rounding_half_up_per_adjustment() -> None:
    table = RateTable.of(
        [ExchangeRate("USD", "RUB", Decimal("80.125"), date(2026, 1, 1), "test rate", "test")]
    )
    # 0.10 USD x 80.125 = 8.0125 -> 8.01; 0.02 x 80.125 = 1.6025 -> 1.60; 0.03 -> 2.40375 -> 2.40
    result = customs_value(usd("0.10"), "FOB", usd("0.02"), usd("0.03"), "RU", date(2026, 1, 2), table)
    assert result.customs_value == Money.of("12.01", "RUB")
    assert result.to_json()["customsValue"] == {"value": "12.01", "currencyID": "RUB"}
