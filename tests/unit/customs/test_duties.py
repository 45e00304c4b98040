"""Import duties and taxes, worked by hand, on the shipped tariff data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.customs.domain.assessment import Assessment
from corridor.customs.domain.duties import DutyLine, assess_import
from corridor.customs.domain.tariff import SpecificRate, TariffBook, TariffNotFound, TariffRow
from corridor.refdata.tariffs import exchange_rates, tariff_book
from corridor.shared.errors import InvalidInput
from corridor.shared.money import Money

RU = tariff_book("RU")
IN = tariff_book("IN")
RATES = exchange_rates()


def rub(amount: str) -> Money:
    return Money.of(amount, "RUB")


def inr(amount: str) -> Money:
    return Money.of(amount, "INR")


def line(code: str, value: Money, mass_kg: str = "1000", seq: int = 1) -> DutyLine:
    return DutyLine(seq, code, value, Decimal(mass_kg), Decimal(mass_kg), "KGM")


def ru(code: str, value: str, on: date, mass_kg: str = "1000") -> Assessment:
    return assess_import("RU", [line(code, rub(value), mass_kg)], on, RU, RATES)


def india(code: str, value: str, on: date, mass_kg: str = "1000") -> Assessment:
    return assess_import("IN", [line(code, inr(value), mass_kg)], on, IN, RATES)


# ------------------------------------------------------------------ Russia


def test_smartphones_2026_vat_22() -> None:
    # customs value 868,000.00 RUB (FOB USD 10,000 + freight 800 + insurance 50 at 80.00)
    # import duty 0 % = 0.00; VAT 22 % x (868,000.00 + 0.00) = 190,960.00
    result = ru("8517 13 000 0", "868000.00", date(2026, 3, 1))
    item = result.lines[0]
    assert item.amount("RU-IMPORT-DUTY") == rub("0.00")
    vat = item.tax("RU-VAT")
    assert vat is not None
    assert vat.amount == rub("190960.00")
    assert vat.base == rub("868000.00")
    assert "425-FZ" in vat.source
    assert result.totals == {"RUB": rub("190960.00")}


def test_smartphones_2025_12_01_vat_20() -> None:
    # customs value 878,850.00 RUB (CIF USD 10,850 at 81.00); VAT 20 % = 175,770.00
    item = ru("8517130000", "878850.00", date(2025, 12, 1)).lines[0]
    assert item.amount("RU-VAT") == rub("175770.00")


@pytest.mark.parametrize(("on", "vat"), [(date(2025, 12, 31), "20000.00"), (date(2026, 1, 1), "22000.00")])
def test_vat_boundary(on: date, vat: str) -> None:
    assert ru("8471300000", "100000.00", on).lines[0].amount("RU-VAT") == rub(vat)


def test_shrimp_duty_then_reduced_vat_on_value_plus_duty() -> None:
    # 1,000,000.00 RUB: duty 5 % = 50,000.00; VAT 10 % x 1,050,000.00 = 105,000.00
    item = ru("0306 17 990 0", "1000000.00", date(2026, 2, 1)).lines[0]
    assert item.amount("RU-IMPORT-DUTY") == rub("50000.00")
    vat = item.tax("RU-VAT")
    assert vat is not None and vat.base == rub("1050000.00") and vat.amount == rub("105000.00")


def test_medicines_reduced_vat_survives_2026() -> None:
    # duty 0 %; VAT 10 % x 500,000.00 = 50,000.00 in both years
    for on in (date(2025, 12, 31), date(2026, 1, 1)):
        assert ru("3004 90 000 2", "500000.00", on).lines[0].amount("RU-VAT") == rub("50000.00")


def test_combined_duty_specific_minimum_wins() -> None:
    # 1601 00: 20 % but not less than 0.4 EUR/kg; 1,000 kg; EUR 93.00 RUB on 2026-03-01
    # ad valorem 20 % x 100,000.00 = 20,000.00; specific 0.4 x 1,000 x 93.00 = 37,200.00 -> 37,200.00
    # VAT 22 % x (100,000.00 + 37,200.00) = 30,184.00
    item = ru("1601 00 990 0", "100000.00", date(2026, 3, 1)).lines[0]
    duty = item.tax("RU-IMPORT-DUTY")
    assert duty is not None and duty.amount == rub("37200.00")
    assert duty.specific_quantity == Decimal("1000") and duty.specific_unit == "KGM"
    assert "specific minimum" in duty.note
    assert item.amount("RU-VAT") == rub("30184.00")


def test_combined_duty_ad_valorem_wins() -> None:
    # ad valorem 20 % x 500,000.00 = 100,000.00 > specific 37,200.00
    item = ru("1601 00 990 0", "500000.00", date(2026, 3, 1)).lines[0]
    assert item.amount("RU-IMPORT-DUTY") == rub("100000.00")


def _specific_book() -> TariffBook:
    rows = [
        TariffRow(
            code="2204",
            tax="RU-IMPORT-DUTY",
            kind="specific",
            specific=SpecificRate(Money.of("0.3", "EUR"), Decimal("1"), "LTR"),
            valid_from=date(2022, 1, 1),
            source="test row",
        ),
        TariffRow(
            code="*",
            tax="RU-VAT",
            kind="ad_valorem",
            ad_valorem_percent=Decimal("22"),
            valid_from=date(2026, 1, 1),
            source="test row",
        ),
    ]
    return TariffBook.of("RU", rows)


def test_specific_duty_per_litre_converted_at_rate_table() -> None:
    # 0.3 EUR/l x 2,000 l = 600 EUR x 93.00 = 55,800.00 RUB; VAT 22 % x (200,000 + 55,800) = 56,276.00
    wine = DutyLine(1, "2204210000", rub("200000.00"), Decimal("2100"), Decimal("2000"), "LTR")
    item = assess_import("RU", [wine], date(2026, 3, 1), _specific_book(), RATES).lines[0]
    assert item.amount("RU-IMPORT-DUTY") == rub("55800.00")
    assert item.amount("RU-VAT") == rub("56276.00")


def test_specific_duty_needs_matching_quantity_unit_and_rates() -> None:
    wine = DutyLine(1, "2204210000", rub("200000.00"), Decimal("2100"), Decimal("2000"), "NAR")
    with pytest.raises(InvalidInput, match="per LTR"):
        assess_import("RU", [wine], date(2026, 3, 1), _specific_book(), RATES)
    litres = DutyLine(1, "2204210000", rub("200000.00"), Decimal("2100"), Decimal("2000"), "LTR")
    with pytest.raises(ValueError, match="exchange-rate table"):
        assess_import("RU", [litres], date(2026, 3, 1), _specific_book())


def test_missing_tariff_row_is_an_error() -> None:
    with pytest.raises(TariffNotFound, match=r"RU-IMPORT-DUTY.*9999999999"):
        ru("9999999999", "100.00", date(2026, 3, 1))
    with pytest.raises(TariffNotFound, match="on 2018-06-01"):
        ru("8517130000", "100.00", date(2018, 6, 1))


def test_line_errors_name_fields() -> None:
    bad = DutyLine(1, "85AB", inr("10.00"), Decimal("-1"), Decimal("1"), "KGM")
    with pytest.raises(InvalidInput) as caught:
        assess_import("RU", [bad], date(2026, 3, 1), RU, RATES)
    paths = {e.path for e in caught.value.errors}
    assert "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].Commodity.Classification[0].ID" in paths
    assert "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].CustomsValueAmount" in paths
    assert "Declaration.GoodsShipment.GovernmentAgencyGoodsItem[0].GoodsMeasure.NetNetWeightMeasure" in paths


def test_rounding_half_up_at_line_level() -> None:
    # VAT 22 % x 0.25 = 0.055 -> 0.06 (half-up); 22 % x 100.05 = 22.011 -> 22.01
    assert ru("8517130000", "0.25", date(2026, 3, 1)).lines[0].amount("RU-VAT") == rub("0.06")
    assert ru("8517130000", "100.05", date(2026, 3, 1)).lines[0].amount("RU-VAT") == rub("22.01")


# ------------------------------------------------------------------ India


def test_crude_oil_igst_not_levied() -> None:
    # 1,000 t crude, assessable value 45,000,000.00 INR on 2025-10-15
    # BCD Rs 1/t = 1,000.00; NCCD Rs 50/t = 50,000.00; SWS 10 % x BCD 1,000.00 = 100.00
    # IGST: crude petroleum is outside GST -> not levied, 0.00
    item = india("2709 00 10", "45000000.00", date(2025, 10, 15), mass_kg="1000000").lines[0]
    assert item.amount("IN-BCD") == inr("1000.00")
    assert item.amount("IN-NCCD") == inr("50000.00")
    assert item.amount("IN-SWS") == inr("100.00")
    igst = item.tax("IN-IGST")
    assert igst is not None and igst.levied is False and igst.amount == inr("0.00")
    assert igst.rate == "not levied"
    assert item.total == inr("51100.00")


def test_dap_fertiliser() -> None:
    # DAP 3105 30 00, assessable value 10,000,000.00 INR on 2025-10-15
    # BCD 5 % = 500,000.00; SWS 10 % x 500,000.00 = 50,000.00
    # IGST 5 % x (10,000,000 + 500,000 + 50,000) = 527,500.00; total 1,077,500.00
    item = india("3105 30 00", "10000000.00", date(2025, 10, 15)).lines[0]
    assert item.amount("IN-BCD") == inr("500000.00")
    assert item.amount("IN-SWS") == inr("50000.00")
    igst = item.tax("IN-IGST")
    assert igst is not None and igst.base == inr("10550000.00") and igst.amount == inr("527500.00")
    assert item.total == inr("1077500.00")


def test_npk_fertiliser_same_rate_before_gst_2() -> None:
    item = india("31052000", "10000000.00", date(2025, 9, 21)).lines[0]
    assert item.total == inr("1077500.00")


def test_urea_aidc_enters_sws_and_igst_base() -> None:
    # urea 3102 10 10: BCD nil; AIDC 5 % = 500,000.00; SWS 10 % x (0 + 500,000) = 50,000.00
    # IGST 5 % x 10,550,000.00 = 527,500.00
    item = india("31021010", "10000000.00", date(2025, 10, 15)).lines[0]
    assert item.amount("IN-BCD") == inr("0.00")
    assert item.amount("IN-AIDC") == inr("500000.00")
    assert item.amount("IN-SWS") == inr("50000.00")
    assert item.amount("IN-IGST") == inr("527500.00")


def test_rough_diamonds_igst_quarter_percent() -> None:
    # 7102 31 00, assessable value 50,000,000.00 INR: BCD nil, SWS nil, IGST 0.25 % = 125,000.00
    item = india("7102 31 00", "50000000.00", date(2026, 3, 1), mass_kg="1").lines[0]
    assert item.amount("IN-BCD") == inr("0.00")
    assert item.amount("IN-SWS") == inr("0.00")
    igst = item.tax("IN-IGST")
    assert igst is not None and igst.rate_percent == Decimal("0.25") and igst.amount == inr("125000.00")


def test_worked_diamonds_not_covered() -> None:
    with pytest.raises(TariffNotFound):
        india("71023910", "100.00", date(2026, 3, 1))


@pytest.mark.parametrize(
    ("on", "igst", "cess"),
    [(date(2025, 9, 21), "513750.00", "400000.00"), (date(2025, 9, 22), "1849500.00", None)],
)
def test_coal_gst_2_boundary(on: date, igst: str, cess: str | None) -> None:
    # bituminous coal 2701 12 00, 1,000 t, assessable value 10,000,000.00 INR
    # BCD 1 % = 100,000.00; AIDC 1.5 % = 150,000.00; SWS 10 % x 250,000.00 = 25,000.00
    # IGST base 10,275,000.00: 5 % = 513,750.00 (+ compensation cess Rs 400/t = 400,000.00) up to
    # 2025-09-21; 18 % = 1,849,500.00 and no cess from 2025-09-22
    item = india("2701 12 00", "10000000.00", on, mass_kg="1000000").lines[0]
    assert item.amount("IN-SWS") == inr("25000.00")
    assert item.amount("IN-IGST") == inr(igst)
    cess_line = item.tax("IN-GST-CESS")
    if cess is None:
        assert cess_line is None
    else:
        assert cess_line is not None and cess_line.amount == inr(cess)


@pytest.mark.parametrize(
    ("on", "bcd", "sws", "igst"),
    [
        # BCD 20 %: 2,000,000; AIDC 500,000; SWS 250,000; IGST 5 % x 12,750,000 = 637,500
        (date(2025, 5, 30), "2000000.00", "250000.00", "637500.00"),
        # BCD 10 %: 1,000,000; AIDC 500,000; SWS 150,000; IGST 5 % x 11,650,000 = 582,500
        (date(2025, 7, 1), "1000000.00", "150000.00", "582500.00"),
    ],
)
def test_crude_sunflower_oil(on: date, bcd: str, sws: str, igst: str) -> None:
    item = india("1512 11 10", "10000000.00", on).lines[0]
    assert item.amount("IN-BCD") == inr(bcd)
    assert item.amount("IN-AIDC") == inr("500000.00")
    assert item.amount("IN-SWS") == inr(sws)
    assert item.amount("IN-IGST") == inr(igst)


def test_assessment_json_and_totals() -> None:
    lines = [
        line("31053000", inr("10000000.00"), seq=1),
        line("71023100", inr("50000000.00"), mass_kg="1", seq=2),
    ]
    result = assess_import("IN", lines, date(2025, 10, 15), IN, RATES)
    # 1,077,500.00 + 125,000.00 = 1,202,500.00
    assert result.totals == {"INR": inr("1202500.00")}
    assert result.totals_by_type["IN-IGST"] == inr("652500.00")
    payload = json.loads(json.dumps(result.to_json()))
    first = payload["lines"][0]["DutyTaxFee"][0]
    assert first["TypeCode"] == "IN-BCD"
    assert first["Payment"] == {"TaxAssessedAmount": {"value": "500000.00", "currencyID": "INR"}}
    assert first["DutyRegimeCode"] == "100"
    assert first["AdValoremTaxBaseAmount"] == {"value": "10000000.00", "currencyID": "INR"}
    assert "TaxAssessedAmount" not in first
    assert payload["totals"] == [{"value": "1202500.00", "currencyID": "INR"}]


def test_country_must_match_book() -> None:
    with pytest.raises(InvalidInput):
        assess_import("IN", [line("31053000", inr("1.00"))], date(2025, 10, 15), RU, RATES)


# ------------------------------------------------------------------ properties

RU_CODES = ["8517130000", "8471300000", "3004900002", "0306179900", "0902300000", "8413708100", "1601009900"]
IN_CODES = ["27090010", "27011200", "31053000", "31052000", "31021010", "15121110", "71023100", "71021000"]
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("1000000000"), places=2)
masses = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000000"), places=3)
dates = st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 6, 30))


@settings(max_examples=150, deadline=timedelta(seconds=2))
@given(code=st.sampled_from(RU_CODES), value=amounts, mass=masses, on=dates)
def test_russia_never_negative_and_vat_base_includes_duty(
    code: str, value: Decimal, mass: Decimal, on: date
) -> None:
    item = assess_import("RU", [DutyLine(1, code, rub(str(value)), mass, mass, "KGM")], on, RU, RATES).lines[
        0
    ]
    assert all(tax.amount.amount >= 0 for tax in item.taxes)
    vat = item.tax("RU-VAT")
    assert vat is not None
    assert vat.base == (rub(str(value)) + item.amount("RU-IMPORT-DUTY")).rounded()


@settings(max_examples=150, deadline=timedelta(seconds=2))
@given(code=st.sampled_from(IN_CODES), value=amounts, mass=masses, on=dates)
def test_india_never_negative_and_igst_base_includes_duties(
    code: str, value: Decimal, mass: Decimal, on: date
) -> None:
    item = assess_import("IN", [DutyLine(1, code, inr(str(value)), mass, mass, "KGM")], on, IN, RATES).lines[
        0
    ]
    assert all(tax.amount.amount >= 0 for tax in item.taxes)
    customs_duties = inr("0")
    for type_code in ("IN-BCD", "IN-AIDC", "IN-NCCD", "IN-SWS"):
        customs_duties = customs_duties + item.amount(type_code)
    igst = item.tax("IN-IGST")
    assert igst is not None
    assert igst.base == (inr(str(value)) + customs_duties).rounded()
    assert (
        item.amount("IN-SWS")
        == (item.amount("IN-BCD") + item.amount("IN-AIDC")).times(Decimal("0.1")).rounded()
    )
