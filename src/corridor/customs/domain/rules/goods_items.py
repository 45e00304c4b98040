"""Each goods item: classification in both national schemes, measures, origin, price, procedures."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from corridor.customs.domain.identifiers import hs_format_error
from corridor.customs.domain.rules.field_checks import check_amount, check_country, check_magnitude
from corridor.customs.domain.rules.lookup import CodeLookup
from corridor.customs.domain.rules.vocabulary import (
    ITEMS,
    MASS_UNITS,
    NATIONAL_SCHEME,
    PROCEDURE_FIRST_DIGITS,
    mass_in_kg,
)
from corridor.customs.domain.wco import ClassificationType as Classification
from corridor.customs.domain.wco import DeclarationType as Declaration
from corridor.customs.domain.wco import GoodsMeasureType as GoodsMeasure
from corridor.customs.domain.wco import GovernmentAgencyGoodsItemType as GoodsItem
from corridor.customs.domain.wco import MeasureType as Measure
from corridor.shared.errors import FieldError


def check_items(d: Declaration, codes: CodeLookup, exporting: str, destination: str) -> Iterator[FieldError]:
    equipment = {e.SequenceNumeric for e in d.GoodsShipment.Consignment.TransportEquipment}
    invoice_currency = d.InvoiceAmount.currencyID
    total = Decimal(0)
    sequences: set[int] = set()
    for i, item in enumerate(d.GoodsShipment.GovernmentAgencyGoodsItem):
        path = f"{ITEMS}[{i}]"
        if item.SequenceNumeric in sequences:
            yield FieldError(f"{path}.SequenceNumeric", "is used twice")
        sequences.add(item.SequenceNumeric)
        yield from _classifications(path, item.Commodity.Classification, codes, exporting, destination)
        yield from _measures(path, item.GoodsMeasure, codes)
        yield from check_country(f"{path}.Origin.CountryCode", item.Origin.CountryCode, codes)
        charge = item.Commodity.InvoiceLine.ItemChargeAmount
        charge_path = f"{path}.Commodity.InvoiceLine.ItemChargeAmount"
        yield from check_amount(charge_path, charge, codes)
        if charge.currencyID != invoice_currency:
            yield FieldError(
                f"{charge_path}.currencyID", f"is {charge.currencyID}, the invoice is in {invoice_currency}"
            )
        total += charge.value
        yield from _procedures(path, item, d.TypeCode)
        yield from _packaging(path, item)
        for j, seq in enumerate(item.TransportEquipmentSequence):
            if seq not in equipment:
                yield FieldError(f"{path}.TransportEquipmentSequence[{j}]", f"no transport equipment {seq}")
    if total != d.InvoiceAmount.value:
        yield FieldError(
            "Declaration.InvoiceAmount.value",
            f"is {d.InvoiceAmount.value} but the goods items add up to {total}",
        )


def _procedures(path: str, item: GoodsItem, type_code: str) -> Iterator[FieldError]:
    allowed = PROCEDURE_FIRST_DIGITS[type_code]
    for k, procedure in enumerate(item.GovernmentProcedure):
        where = f"{path}.GovernmentProcedure[{k}]"
        for name in ("CurrentCode", "PreviousCode"):
            code: str = getattr(procedure, name)
            if len(code) != 2 or not (code.isascii() and code.isdigit()):
                yield FieldError(f"{where}.{name}", f"{code!r} must be a 2-digit procedure code")
        current = procedure.CurrentCode
        if len(current) == 2 and current.isascii() and current.isdigit() and current[0] not in allowed:
            kind = "an export" if type_code == "EX" else "an import"
            yield FieldError(
                f"{where}.CurrentCode",
                f"{current} is not a procedure of {kind} declaration (first digit one of {', '.join(allowed)})",
            )


def _packaging(path: str, item: GoodsItem) -> Iterator[FieldError]:
    sequences: set[int] = set()
    for k, package in enumerate(item.Packaging):
        where = f"{path}.Packaging[{k}]"
        if package.SequenceNumeric in sequences:
            yield FieldError(f"{where}.SequenceNumeric", "is used twice")
        sequences.add(package.SequenceNumeric)
        code = package.TypeCode
        if len(code) != 2 or not all(c.isascii() and (c.isdigit() or c.isupper()) for c in code):
            yield FieldError(
                f"{where}.TypeCode",
                f"{code!r} is not a UN/ECE Rec 21 package type code (2 characters 0-9A-Z)",
            )


def _classifications(
    path: str, classifications: list[Classification], codes: CodeLookup, exporting: str, destination: str
) -> Iterator[FieldError]:
    by_scheme: dict[str, str] = {}
    broken = False
    for k, cls in enumerate(classifications):
        where = f"{path}.Commodity.Classification[{k}].ID"
        problem = hs_format_error(cls.ID, cls.IdentificationTypeCode)
        if problem is None and not codes.hs6_exists(cls.ID[:6]):
            problem = f"{cls.ID[:6]} is not an HS 2022 subheading"
        if problem is None and cls.IdentificationTypeCode in by_scheme:
            problem = f"a second {cls.IdentificationTypeCode} code for the same item"
        if problem:
            broken = True
            yield FieldError(where, problem)
        else:
            by_scheme[cls.IdentificationTypeCode] = cls.ID
    if broken:
        return
    for country, side in ((exporting, "export"), (destination, "import")):
        scheme = NATIONAL_SCHEME[country]
        if scheme not in by_scheme:
            yield FieldError(
                f"{path}.Commodity.Classification", f"needs the {scheme} code of {country} ({side} side)"
            )
    if len({code[:6] for code in by_scheme.values()}) > 1:
        yield FieldError(
            f"{path}.Commodity.Classification",
            "the codes do not share one HS 6-digit subheading: " + ", ".join(sorted(by_scheme.values())),
        )


def _measures(path: str, measure: GoodsMeasure, codes: CodeLookup) -> Iterator[FieldError]:
    gm = f"{path}.GoodsMeasure"
    for name in ("GrossMassMeasure", "NetNetWeightMeasure", "TariffQuantity"):
        m: Measure = getattr(measure, name)
        yield from check_magnitude(f"{gm}.{name}.value", m.value)
        if not codes.unit_exists(m.unitCode):
            yield FieldError(f"{gm}.{name}.unitCode", f"{m.unitCode!r} is not a UN/ECE Rec 20 unit code")
    for name in ("GrossMassMeasure", "NetNetWeightMeasure"):
        if getattr(measure, name).unitCode not in MASS_UNITS:
            yield FieldError(f"{gm}.{name}.unitCode", "must be a mass unit (KGM or TNE)")
    gross, net = mass_in_kg(measure.GrossMassMeasure), mass_in_kg(measure.NetNetWeightMeasure)
    if gross is not None and net is not None and net > gross:
        yield FieldError(
            f"{gm}.NetNetWeightMeasure.value", f"net mass {net} kg exceeds gross mass {gross} kg"
        )
