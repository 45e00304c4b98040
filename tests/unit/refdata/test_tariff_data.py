"""Invariants of the shipped tariff and exchange-rate files, and loader error messages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml

from corridor.customs.domain.tariff import TariffRow
from corridor.refdata.tariffs import (
    RATES_FILE,
    TARIFF_FILES,
    RefDataError,
    data_text,
    exchange_rates,
    parse_rates,
    parse_tariff,
    tariff_book,
)

CORRIDOR_CODES = {
    "RU": [
        "3004900002",
        "8517130000",
        "8471300000",
        "8413708100",
        "8481808100",
        "8429520000",
        "0306179900",
        "0902100000",
        "0902300000",
        "0902400000",
    ],
    "IN": [
        "27090010",
        "27090090",
        "27011200",
        "27011910",
        "31021010",
        "31023000",
        "31042000",
        "31052000",
        "31053000",
        "15121110",
        "71021000",
        "71022100",
        "71023100",
    ],
}
REQUIRED_TAXES = {"RU": ["RU-IMPORT-DUTY", "RU-VAT"], "IN": ["IN-BCD", "IN-SWS", "IN-IGST"]}


def _days(start: date, end: date, step: int = 7) -> list[date]:
    days = [start + timedelta(days=n) for n in range(0, (end - start).days + 1, step)]
    return [*days, date(2025, 9, 21), date(2025, 9, 22), date(2025, 12, 31), date(2026, 1, 1), end]


@pytest.mark.parametrize("country", ["RU", "IN"])
def test_every_raw_row_has_source_and_valid_from(country: str) -> None:
    raw = yaml.safe_load(data_text(TARIFF_FILES[country]))
    for index, row in enumerate(raw["rows"]):
        assert str(row.get("source", "")).strip(), f"row {index} has no source"
        assert isinstance(row.get("valid_from"), date), f"row {index} has no valid_from date"


def test_every_rate_block_has_source_valid_from_and_is_marked_sample() -> None:
    raw = yaml.safe_load(data_text(RATES_FILE))
    for index, block in enumerate(raw["blocks"]):
        assert isinstance(block["valid_from"], date), index
        assert block["sample"] is True, index
        assert block["verified"] is False, index
        assert block["source"].startswith("sample rate for demonstration"), index
        assert "replace with the published table" in block["source"], index


def _overlap(a: TariffRow, b: TariffRow) -> bool:
    return (a.valid_to is None or b.valid_from <= a.valid_to) and (
        b.valid_to is None or a.valid_from <= b.valid_to
    )


@pytest.mark.parametrize("country", ["RU", "IN"])
def test_no_overlapping_periods_for_same_code_and_tax(country: str) -> None:
    rows = tariff_book(country).rows
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            if (first.code, first.tax) == (second.code, second.tax):
                assert not _overlap(first, second), (first.code, first.tax)


def test_no_overlapping_exchange_rates() -> None:
    rates = exchange_rates().rates
    for i, first in enumerate(rates):
        for second in rates[i + 1 :]:
            if (first.base, first.quote) == (second.base, second.quote):
                assert first.valid_to is not None and (
                    second.valid_from > first.valid_to
                    or (second.valid_to is not None and second.valid_to < first.valid_from)
                )


@pytest.mark.parametrize("country", ["RU", "IN"])
def test_corridor_goods_covered_every_day_2025_06_to_2026_06(country: str) -> None:
    book = tariff_book(country)
    for code in CORRIDOR_CODES[country]:
        for tax in REQUIRED_TAXES[country]:
            for day in _days(date(2025, 6, 1), date(2026, 6, 30)):
                book.lookup(code, day, tax)


def test_rates_cover_2025_and_first_half_2026() -> None:
    rates = exchange_rates()
    for day in _days(date(2025, 1, 1), date(2026, 6, 30)):
        for currency in ("USD", "EUR", "CNY", "AED", "INR"):
            assert rates.rate(currency, "RUB", day) > 0
        for currency in ("USD", "EUR", "CNY", "AED", "RUB"):
            assert rates.rate(currency, "INR", day) > 0


def test_numbers_are_exact_decimals() -> None:
    row = tariff_book("IN").lookup("71023100", date(2026, 1, 1), "IN-IGST")
    assert row.ad_valorem_percent == Decimal("0.25")
    assert str(row.ad_valorem_percent) == "0.25"
    assert exchange_rates().rate("INR", "RUB", date(2026, 1, 1)) == Decimal("0.890")


def test_russian_vat_rows() -> None:
    book = tariff_book("RU")
    assert book.lookup("8517130000", date(2025, 12, 31), "RU-VAT").ad_valorem_percent == Decimal("20")
    assert book.lookup("8517130000", date(2026, 1, 1), "RU-VAT").ad_valorem_percent == Decimal("22")
    assert book.lookup("3004900002", date(2026, 1, 1), "RU-VAT").ad_valorem_percent == Decimal("10")
    assert book.lookup("0306179900", date(2026, 1, 1), "RU-VAT").ad_valorem_percent == Decimal("10")
    # tea takes the standard rate
    assert book.lookup("0902300000", date(2026, 1, 1), "RU-VAT").ad_valorem_percent == Decimal("22")


def test_indian_igst_boundary_and_not_levied() -> None:
    book = tariff_book("IN")
    assert book.lookup("27011200", date(2025, 9, 21), "IN-IGST").ad_valorem_percent == Decimal("5")
    assert book.lookup("27011200", date(2025, 9, 22), "IN-IGST").ad_valorem_percent == Decimal("18")
    crude = book.lookup("27090010", date(2026, 1, 1), "IN-IGST")
    assert crude.kind == "not_levied" and "s.5(2)" in crude.source


def test_longest_prefix_wins() -> None:
    book = tariff_book("IN")
    assert book.lookup("3102 10 10", date(2026, 1, 1)).ad_valorem_percent == Decimal("0")  # urea row 310210
    assert book.lookup("3102 30 00", date(2026, 1, 1)).ad_valorem_percent == Decimal("5")  # heading row 3102
    assert book.lookup("27011200", date(2026, 1, 1), "IN-SWS").code == "*"


def test_tariff_book_is_parsed_once() -> None:
    assert tariff_book("RU") is tariff_book("RU")
    assert exchange_rates() is exchange_rates()
    with pytest.raises(ValueError, match="no tariff file"):
        tariff_book("CN")


# ------------------------------------------------------------------ loader errors

GOOD_ROW = """\
  - code: "8517130000"
    tax: RU-IMPORT-DUTY
    kind: ad_valorem
    ad_valorem_percent: "0"
    valid_from: 2022-01-01
    source: "ETT EAEU"
"""


def _tariff(rows: str) -> str:
    return f"country: RU\ncurrency: RUB\nrows:\n{rows}"


def test_good_minimal_file_parses() -> None:
    book = parse_tariff(_tariff(GOOD_ROW), "mini.yaml")
    assert book.lookup("8517 13 000 0", date(2026, 1, 1)).source == "ETT EAEU"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            GOOD_ROW.replace('    source: "ETT EAEU"\n', ""),
            r"bad\.yaml: rows\[0\] \(code 8517130000.*field 'source': is required",
        ),
        (GOOD_ROW.replace('"0"', '"abc"'), r"rows\[0\].*field 'ad_valorem_percent': 'abc' is not a number"),
        (
            GOOD_ROW.replace("2022-01-01", "01.01.2022"),
            r"field 'valid_from': '01.01.2022' is not an ISO date",
        ),
        (GOOD_ROW.replace("kind: ad_valorem", "kind: mixed"), r"field 'kind': 'mixed' is not one of"),
        (
            GOOD_ROW.replace("tax: RU-IMPORT-DUTY", "tax: IN-BCD"),
            r"field 'tax': 'IN-BCD' must start with 'RU-'",
        ),
        (GOOD_ROW + "    rate: 5\n", r"field 'rate': is not a known field"),
        (GOOD_ROW.replace('"8517130000"', '"85AB"'), r"field 'code': tariff code '85AB'"),
        (GOOD_ROW.replace("kind: ad_valorem", "kind: combined"), r"rows\[0\].*needs specific rate"),
        (
            GOOD_ROW + GOOD_ROW.replace("2022-01-01", "2025-01-01"),
            r"rows\[0\] and rows\[1\].*periods overlap",
        ),
    ],
)
def test_bad_tariff_rows_name_file_row_and_field(rows: str, expected: str) -> None:
    with pytest.raises(RefDataError, match=expected):
        parse_tariff(_tariff(rows), "bad.yaml")


def test_bad_tariff_top_level() -> None:
    with pytest.raises(RefDataError, match="field 'currency': must be RUB"):
        parse_tariff("country: RU\ncurrency: INR\nrows:\n" + GOOD_ROW, "bad.yaml")
    with pytest.raises(RefDataError, match="not valid YAML"):
        parse_tariff("rows: [", "bad.yaml")


GOOD_BLOCK = """\
blocks:
  - publisher: test
    quote: RUB
    valid_from: 2026-01-01
    sample: true
    source: "sample rate for demonstration"
    rates:
      USD: "80.00"
"""


def test_rate_file_parses_and_checks() -> None:
    table = parse_rates(GOOD_BLOCK, "rates.yaml")
    assert table.rate("USD", "RUB", date(2026, 2, 1)) == Decimal("80.00")
    with pytest.raises(RefDataError, match=r"blocks\[0\] field 'source': a sample block's source"):
        parse_rates(GOOD_BLOCK.replace("sample rate for demonstration", "Bank of Russia"), "rates.yaml")
    with pytest.raises(RefDataError, match=r"blocks\[0\] field 'rates.USD': '-'"):
        parse_rates(GOOD_BLOCK.replace('"80.00"', '"-"'), "rates.yaml")
    with pytest.raises(RefDataError, match=r"field 'rates.usd'"):
        parse_rates(GOOD_BLOCK.replace("USD:", "usd:"), "rates.yaml")
    with pytest.raises(RefDataError, match=r"field 'rates.USD': rate USD->RUB must be positive"):
        parse_rates(GOOD_BLOCK.replace('"80.00"', '"0"'), "rates.yaml")
    doubled = GOOD_BLOCK + GOOD_BLOCK.split("blocks:\n", 1)[1]
    with pytest.raises(RefDataError, match="periods overlap"):
        parse_rates(doubled, "rates.yaml")
