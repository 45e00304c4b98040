"""Import duties and taxes per goods item, for Russia (EAEU) and India.

Russia: import duty from the ETT EAEU row (ad valorem on the customs value; specific per unit,
converted to RUB at the rate table; combined = the larger of the two), then
VAT = rate x (customs value + import duty) (Tax Code art. 160 p.1; excise not handled).

India: BCD on the assessable value (ad valorem or specific), AIDC and NCCD where the tariff has a
row for the code, SWS = rate x (BCD + AIDC) (Finance Act 2018 s.110; AIDC is an aggregate duty of
customs for SWS), IGST = rate x (assessable value + BCD + AIDC + NCCD + SWS) (Customs Tariff Act
1975 s.3(7)-(8)); GST compensation cess where the tariff has a row (coal before 2025-09-22).
Where the IGST row says ``not_levied`` (goods outside GST, e.g. crude petroleum) the line shows
IGST 0 marked not levied.

Each amount is rounded half-up to 0.01 at line level; the next base uses the rounded amount.
Rates come only from the ``TariffBook`` rows; this module holds no rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from corridor.customs.domain.assessment import Assessment, DutyTaxFee, LineAssessment
from corridor.customs.domain.exchange import RateTable
from corridor.customs.domain.tariff import MASS_UNITS_IN_KG, TariffBook, TariffRow, normalise_code
from corridor.shared.errors import FieldError, InvalidInput
from corridor.shared.money import Money, zero

HUNDRED = Decimal(100)
ITEM_PATH = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem"

RU_IMPORT_DUTY = "RU-IMPORT-DUTY"
RU_VAT = "RU-VAT"
IN_BCD = "IN-BCD"
IN_AIDC = "IN-AIDC"
IN_NCCD = "IN-NCCD"
IN_SWS = "IN-SWS"
IN_IGST = "IN-IGST"
IN_GST_CESS = "IN-GST-CESS"


@dataclass(frozen=True, slots=True)
class DutyLine:
    sequence: int
    tariff_code: str
    customs_value: Money  # in the national currency (RUB / INR)
    net_mass_kg: Decimal
    quantity: Decimal
    unit: str  # UN/ECE Rec 20 code of ``quantity``, e.g. KGM, NAR, LTR


class _Calculator:
    def __init__(self, book: TariffBook, on_date: date, rates: RateTable | None) -> None:
        self.book = book
        self.on_date = on_date
        self.rates = rates
        self.currency = book.currency

    def _quantity(self, row: TariffRow, line: DutyLine, index: int) -> Decimal:
        assert row.specific is not None
        unit = row.specific.unit
        if unit in MASS_UNITS_IN_KG:
            return line.net_mass_kg / MASS_UNITS_IN_KG[unit]
        if line.unit == unit:
            return line.quantity
        raise InvalidInput(
            [
                FieldError(
                    f"{ITEM_PATH}[{index}].GoodsMeasure.TariffQuantity",
                    f"{row.tax} for {row.code} is per {unit}; the line gives its quantity in {line.unit}",
                )
            ]
        )

    def _specific(self, row: TariffRow, line: DutyLine, index: int) -> tuple[Money, Decimal, str]:
        assert row.specific is not None
        quantity = self._quantity(row, line, index)
        per_unit = row.specific.amount
        note = ""
        if per_unit.currency != self.currency:
            if self.rates is None:
                raise ValueError(
                    f"{row.tax} for {row.code} is in {per_unit.currency}; an exchange-rate table is needed"
                )
            quote = self.rates.quote(per_unit.currency, self.currency, self.on_date)
            per_unit = Money(per_unit.amount * quote.rate, self.currency)
            note = f"1 {quote.from_currency} = {quote.rate} {self.currency} ({quote.method})"
        return Money(per_unit.amount * quantity / row.specific.per, self.currency), quantity, note

    def charge(self, row: TariffRow, base: Money, line: DutyLine, index: int) -> DutyTaxFee:
        quantity: Decimal | None = None
        unit: str | None = None
        note = row.note
        if row.kind == "not_levied":
            amount = zero(self.currency)
        elif row.kind == "ad_valorem":
            assert row.ad_valorem_percent is not None
            amount = base.times(row.ad_valorem_percent / HUNDRED)
        else:
            specific, quantity, rate_note = self._specific(row, line, index)
            assert row.specific is not None
            unit = row.specific.unit
            note = "; ".join(part for part in (rate_note, note) if part)
            amount = specific
            if row.kind == "combined":
                assert row.ad_valorem_percent is not None
                ad_valorem = base.times(row.ad_valorem_percent / HUNDRED)
                chosen = "ad valorem" if ad_valorem.amount >= specific.amount else "specific minimum"
                note = "; ".join(part for part in (f"{chosen} applies (the larger)", note) if part)
                amount = ad_valorem if ad_valorem.amount >= specific.amount else specific
        return DutyTaxFee(
            type_code=row.tax,
            base=base.rounded(),
            rate=row.describe_rate(),
            rate_percent=row.ad_valorem_percent,
            amount=amount.rounded(),
            source=row.source,
            levied=row.kind != "not_levied",
            specific_quantity=quantity,
            specific_unit=unit,
            verified=row.verified,
            note=note,
        )

    def russia(self, line: DutyLine, index: int) -> tuple[DutyTaxFee, ...]:
        code = line.tariff_code
        value = line.customs_value
        duty = self.charge(self.book.lookup(code, self.on_date, RU_IMPORT_DUTY), value, line, index)
        vat = self.charge(self.book.lookup(code, self.on_date, RU_VAT), value + duty.amount, line, index)
        return duty, vat

    def india(self, line: DutyLine, index: int) -> tuple[DutyTaxFee, ...]:
        code = line.tariff_code
        value = line.customs_value
        bcd = self.charge(self.book.lookup(code, self.on_date, IN_BCD), value, line, index)
        taxes = [bcd]
        aidc_row = self.book.find(code, self.on_date, IN_AIDC)
        aidc = self.charge(aidc_row, value, line, index) if aidc_row is not None else None
        nccd_row = self.book.find(code, self.on_date, IN_NCCD)
        nccd = self.charge(nccd_row, value, line, index) if nccd_row is not None else None
        sws_base = bcd.amount
        if aidc is not None:
            taxes.append(aidc)
            sws_base = sws_base + aidc.amount
        if nccd is not None:
            taxes.append(nccd)
        sws = self.charge(self.book.lookup(code, self.on_date, IN_SWS), sws_base, line, index)
        taxes.append(sws)
        igst_base = value
        for tax in taxes:
            igst_base = igst_base + tax.amount
        taxes.append(self.charge(self.book.lookup(code, self.on_date, IN_IGST), igst_base, line, index))
        cess_row = self.book.find(code, self.on_date, IN_GST_CESS)
        if cess_row is not None:
            taxes.append(self.charge(cess_row, igst_base, line, index))
        return tuple(taxes)


def _validate(country: str, lines: list[DutyLine], book: TariffBook) -> None:
    errors: list[FieldError] = []
    if country != book.country:
        errors.append(
            FieldError("Declaration.ImportCountry", f"{country!r} does not match the {book.country} tariff")
        )
    for index, line in enumerate(lines):
        path = f"{ITEM_PATH}[{index}]"
        try:
            normalise_code(line.tariff_code)
        except ValueError as exc:
            errors.append(FieldError(f"{path}.Commodity.Classification[0].ID", str(exc)))
        if line.customs_value.currency != book.currency:
            errors.append(
                FieldError(
                    f"{path}.CustomsValueAmount",
                    f"must be in {book.currency}, not {line.customs_value.currency}",
                )
            )
        if line.customs_value.amount < 0:
            errors.append(FieldError(f"{path}.CustomsValueAmount", "must not be negative"))
        if line.net_mass_kg < 0:
            errors.append(FieldError(f"{path}.GoodsMeasure.NetNetWeightMeasure", "must not be negative"))
        if line.quantity < 0:
            errors.append(FieldError(f"{path}.GoodsMeasure.TariffQuantity", "must not be negative"))
    if errors:
        raise InvalidInput(errors)


def assess_import(
    country: Literal["RU", "IN"],
    lines: list[DutyLine],
    on_date: date,
    book: TariffBook,
    rates: RateTable | None = None,
) -> Assessment:
    """Duties and taxes for each line; ``rates`` is needed only for specific rates in a foreign currency."""
    _validate(country, lines, book)
    calculator = _Calculator(book, on_date, rates)
    compute = calculator.russia if country == "RU" else calculator.india
    assessed = [
        LineAssessment(line.sequence, line.tariff_code, line.customs_value.rounded(), compute(line, index))
        for index, line in enumerate(lines)
    ]
    return Assessment(country, on_date, tuple(assessed))
