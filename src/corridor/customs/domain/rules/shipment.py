"""The goods shipment as a whole: valuation, transport, containers and seals, counts and dates."""

from __future__ import annotations

from collections.abc import Iterator

from corridor.customs.domain.rules.field_checks import (
    check_amount,
    check_country,
    check_locode,
    check_magnitude,
)
from corridor.customs.domain.rules.lookup import CodeLookup
from corridor.customs.domain.rules.vocabulary import CONSIGNMENT, SHIPMENT, VALUATION_METHODS
from corridor.customs.domain.wco import DeclarationType as Declaration
from corridor.shared.errors import FieldError
from corridor.shared.iso6346 import container_number_error


def check_valuation(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
    valuation = d.GoodsShipment.CustomsValuation
    where = f"{SHIPMENT}.CustomsValuation"
    if valuation is not None:
        if valuation.MethodCode is not None and valuation.MethodCode not in VALUATION_METHODS:
            yield FieldError(
                f"{where}.MethodCode", f"{valuation.MethodCode!r} is not a WTO valuation method 1-6"
            )
        for name, charge in (
            ("FreightChargeAmount", valuation.FreightChargeAmount),
            ("InsuranceAmount", valuation.InsuranceAmount),
        ):
            if charge is not None:
                yield from check_amount(f"{where}.{name}", charge, codes)
    for i, exchange in enumerate(d.CurrencyExchange):
        path = f"Declaration.CurrencyExchange[{i}]"
        if not codes.currency_exists(exchange.CurrencyTypeCode):
            yield FieldError(
                f"{path}.CurrencyTypeCode", f"{exchange.CurrencyTypeCode!r} is not an ISO 4217 currency code"
            )
        yield from check_magnitude(f"{path}.RateNumeric", exchange.RateNumeric)


def check_transport(d: Declaration, codes: CodeLookup, office_country: str) -> Iterator[FieldError]:
    border = d.BorderTransportMeans
    if border is not None and border.RegistrationNationalityCode is not None:
        yield from check_country(
            "Declaration.BorderTransportMeans.RegistrationNationalityCode",
            border.RegistrationNationalityCode,
            codes,
        )
    location = d.GoodsShipment.Consignment.GoodsLocation
    if location is not None:
        yield from check_locode(f"{CONSIGNMENT}.GoodsLocation.ID", location.ID, codes, office_country)


def check_consignment(
    d: Declaration, codes: CodeLookup, exporting: str, destination: str
) -> Iterator[FieldError]:
    c = d.GoodsShipment.Consignment
    if d.TypeCode == "EX" and c.Carrier is None:
        yield FieldError(
            f"{CONSIGNMENT}.Carrier", "required on an export: the carrier (ID) whose events move the goods"
        )
    elif c.Carrier is not None and c.Carrier.Address is not None:
        yield from check_country(
            f"{CONSIGNMENT}.Carrier.Address.CountryCode", c.Carrier.Address.CountryCode, codes
        )
    yield from check_locode(f"{CONSIGNMENT}.LoadingLocation.ID", c.LoadingLocation.ID, codes, exporting)
    yield from check_locode(f"{CONSIGNMENT}.UnloadingLocation.ID", c.UnloadingLocation.ID, codes, destination)
    seen: set[str] = set()
    sequences: set[int] = set()
    for i, equipment in enumerate(c.TransportEquipment):
        where = f"{CONSIGNMENT}.TransportEquipment[{i}]"
        problem = container_number_error(equipment.ID)
        if problem:
            yield FieldError(f"{where}.ID", problem)
        if equipment.ID in seen:
            yield FieldError(f"{where}.ID", f"container {equipment.ID} is listed twice")
        if equipment.SequenceNumeric in sequences:
            yield FieldError(f"{where}.SequenceNumeric", "is used twice")
        seen.add(equipment.ID)
        sequences.add(equipment.SequenceNumeric)
        seals: set[str] = set()
        for k, seal in enumerate(equipment.Seal):
            if seal.ID in seals:
                yield FieldError(f"{where}.Seal[{k}].ID", f"seal {seal.ID} is listed twice")
            seals.add(seal.ID)


def check_quantities(d: Declaration) -> Iterator[FieldError]:
    items = d.GoodsShipment.GovernmentAgencyGoodsItem
    if d.GoodsItemQuantity != len(items):
        yield FieldError(
            "Declaration.GoodsItemQuantity",
            f"is {d.GoodsItemQuantity} but the declaration has {len(items)} items",
        )
    if d.TotalPackageQuantity is not None and all(item.Packaging for item in items):
        packages = sum(p.QuantityQuantity for item in items for p in item.Packaging)
        if packages != d.TotalPackageQuantity:
            yield FieldError(
                "Declaration.TotalPackageQuantity",
                f"is {d.TotalPackageQuantity} but the items' Packaging add up to {packages}",
            )


def check_dates(d: Declaration) -> Iterator[FieldError]:
    c = d.GoodsShipment.Consignment
    moments = (
        ("Declaration.IssueDateTime", d.IssueDateTime),
        (f"{SHIPMENT}.Invoice.IssueDateTime", d.GoodsShipment.Invoice.IssueDateTime),
        (f"{CONSIGNMENT}.DepartureDateTime", c.DepartureDateTime),
        (f"{CONSIGNMENT}.ArrivalDateTime", c.ArrivalDateTime),
    )
    naive = [name for name, moment in moments if moment.tzinfo is None]
    for name in naive:
        yield FieldError(name, "needs a time zone offset (e.g. Z or +05:30)")
    if naive:
        return
    if d.GoodsShipment.Invoice.IssueDateTime > c.DepartureDateTime:
        yield FieldError(f"{SHIPMENT}.Invoice.IssueDateTime", "is after the departure date-time")
    if c.DepartureDateTime >= c.ArrivalDateTime:
        yield FieldError(f"{CONSIGNMENT}.ArrivalDateTime", "must be after DepartureDateTime")
    if d.IssueDateTime > c.ArrivalDateTime:
        yield FieldError("Declaration.IssueDateTime", "is after the expected arrival; file before arrival")
