"""Cross-field and code-list rules for a declaration; every problem names its field.

Pure: code lists come in as an object answering the ``CodeLookup`` protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Protocol

from corridor.customs.domain.identifiers import (
    gstin_error,
    hs_format_error,
    iec_error,
    inn_error,
)
from corridor.customs.schemas import AmountType as Amount
from corridor.customs.schemas import ClassificationType as Classification
from corridor.customs.schemas import DeclarationType as Declaration
from corridor.customs.schemas import GoodsMeasureType as GoodsMeasure
from corridor.customs.schemas import GovernmentAgencyGoodsItemType as GoodsItem
from corridor.customs.schemas import MeasureType as Measure
from corridor.customs.schemas import OtherPartyType as OtherParty
from corridor.customs.schemas import PartyType as Party
from corridor.shared.errors import FieldError
from corridor.shared.iso6346 import container_number_error

NATIONAL_SCHEME = {"IN": "ITC-HS", "RU": "TNVED"}
PARTY_ID_SCHEMES = {"IN": "IEC (10 characters) or GSTIN (15)", "RU": "INN"}
# EU-style procedure codes (UK CDS, Union Customs Code): export 1x, 2x (outward processing), 3x
# (re-export); import 4x (release for free circulation), 5x special use, 6x re-import, 7x warehousing.
PROCEDURE_FIRST_DIGITS = {"EX": "123", "IM": "4567"}
VALUATION_METHODS = frozenset("123456")
SHIPMENT = "Declaration.GoodsShipment"
CORRIDOR_COUNTRIES = frozenset(NATIONAL_SCHEME)
MASS_UNITS = {"KGM": Decimal(1), "TNE": Decimal(1000)}
LARGEST = Decimal("1e15")  # no amount, mass or quantity of one declaration comes near this
ITEMS = f"{SHIPMENT}.GovernmentAgencyGoodsItem"
CONSIGNMENT = f"{SHIPMENT}.Consignment"


class CodeLookup(Protocol):
    def hs6_exists(self, code6: str) -> bool: ...
    def country_exists(self, alpha2: str) -> bool: ...
    def currency_exists(self, code: str) -> bool: ...
    def incoterm_exists(self, code: str) -> bool: ...
    def incoterm_error(self, code: str) -> str | None: ...
    def unit_exists(self, code: str) -> bool: ...
    def locode(self, code: str) -> Located | None: ...


class Located(Protocol):
    @property
    def country(self) -> str: ...


def mass_in_kg(measure: Measure) -> Decimal | None:
    factor = MASS_UNITS.get(measure.unitCode)
    return None if factor is None else measure.value * factor


def national_code(classifications: list[Classification], country: str) -> str:
    scheme = NATIONAL_SCHEME[country]
    return next(c.ID for c in classifications if c.IdentificationTypeCode == scheme)


def declaration_errors(decl: Declaration, codes: CodeLookup) -> list[FieldError]:
    return list(_all(decl, codes))


def _all(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
    shipment = d.GoodsShipment
    exporting, destination = shipment.ExportCountry.ID, shipment.Destination.CountryCode
    yield from _country(f"{SHIPMENT}.ExportCountry.ID", exporting, codes)
    yield from _country(f"{SHIPMENT}.Destination.CountryCode", destination, codes)
    if (
        exporting not in CORRIDOR_COUNTRIES
        or destination not in CORRIDOR_COUNTRIES
        or exporting == destination
    ):
        yield FieldError(
            f"{SHIPMENT}.Destination.CountryCode",
            f"the corridor carries IN->RU or RU->IN goods, not {exporting}->{destination}",
        )
        return
    office_country = exporting if d.TypeCode == "EX" else destination
    yield from _locode("Declaration.DeclarationOffice.ID", d.DeclarationOffice.ID, codes, office_country)
    yield from _party("Declaration.Exporter", d.Exporter, exporting, codes)
    yield from _party(f"{SHIPMENT}.Importer", shipment.Importer, destination, codes)
    if d.Declarant is not None:
        yield from _party("Declaration.Declarant", d.Declarant, exporting, codes)
    yield from _other_parties(d, codes)
    yield from _amount("Declaration.InvoiceAmount", d.InvoiceAmount, codes)
    if not codes.incoterm_exists(shipment.TradeTerms.ConditionCode):
        yield FieldError(
            f"{SHIPMENT}.TradeTerms.ConditionCode",
            f"{shipment.TradeTerms.ConditionCode!r} is not an Incoterms 2020 rule",
        )
    yield from _locode(f"{SHIPMENT}.TradeTerms.LocationID", shipment.TradeTerms.LocationID, codes, None)
    yield from _valuation(d, codes)
    yield from _transport(d, codes, office_country)
    yield from _consignment(d, codes, exporting, destination)
    yield from _items(d, codes, exporting, destination)
    yield from _quantities(d)
    yield from _dates(d)
    for i, doc in enumerate(d.AdditionalDocument):
        if not (doc.TypeCode.isascii() and doc.TypeCode.isdigit()) or len(doc.TypeCode) != 3:
            yield FieldError(
                f"Declaration.AdditionalDocument[{i}].TypeCode", "must be a 3-digit UN/EDIFACT 1001 code"
            )


def _country(path: str, code: str, codes: CodeLookup) -> Iterator[FieldError]:
    if not codes.country_exists(code):
        yield FieldError(path, f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def _locode(path: str, code: str, codes: CodeLookup, country: str | None) -> Iterator[FieldError]:
    found = codes.locode(code)
    if found is None:
        yield FieldError(path, f"{code!r} is not a known UN/LOCODE of the corridor")
    elif country is not None and found.country != country:
        yield FieldError(path, f"{code!r} is in {found.country}, expected a location in {country}")


def _amount(path: str, amount: Amount, codes: CodeLookup) -> Iterator[FieldError]:
    if not codes.currency_exists(amount.currencyID):
        yield FieldError(f"{path}.currencyID", f"{amount.currencyID!r} is not an ISO 4217 currency code")
    yield from _magnitude(f"{path}.value", amount.value)


def _magnitude(path: str, value: Decimal) -> Iterator[FieldError]:
    if not value.is_finite():
        yield FieldError(path, "must be a finite number")
    elif value <= 0:
        yield FieldError(path, "must be greater than zero")
    elif value >= LARGEST:
        yield FieldError(path, f"{value} is implausibly large (limit {LARGEST:.0E})")


def party_id_error(party_id: str, country: str) -> str | None:
    """Why ``party_id`` is not an identifier of a party in ``country`` (IN or RU), or ``None``.

    The scheme follows from the country and the length: a 15-character Indian ID is a GSTIN, any
    other Indian ID an IEC; a Russian ID is an INN.
    """
    if country == "RU":
        problem = inn_error(party_id)
        return None if problem is None else f"INN: {problem}"
    if len(party_id) == 15:
        problem = gstin_error(party_id)
        return None if problem is None else f"GSTIN: {problem}"
    problem = iec_error(party_id)
    return None if problem is None else f"IEC (or a 15-character GSTIN): {problem}"


def _party(path: str, party: Party, country: str, codes: CodeLookup) -> Iterator[FieldError]:
    yield from _country(f"{path}.Address.CountryCode", party.Address.CountryCode, codes)
    if party.Address.CountryCode != country:
        yield FieldError(f"{path}.Address.CountryCode", f"is {party.Address.CountryCode}, expected {country}")
        return
    problem = party_id_error(party.ID, country)
    if problem:
        yield FieldError(f"{path}.ID", problem)


def _other_parties(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
    shipment = d.GoodsShipment
    others: tuple[tuple[str, OtherParty | None], ...] = (
        ("Consignor", shipment.Consignor),
        ("Consignee", shipment.Consignee),
        ("Seller", shipment.Seller),
        ("Buyer", shipment.Buyer),
    )
    for role, party in others:
        if party is None:
            continue
        path = f"{SHIPMENT}.{role}"
        country = party.Address.CountryCode
        yield from _country(f"{path}.Address.CountryCode", country, codes)
        if party.ID is not None and country in CORRIDOR_COUNTRIES:
            problem = party_id_error(party.ID, country)
            if problem:
                yield FieldError(f"{path}.ID", problem)
    roles: set[str] = set()
    for i, aeo in enumerate(shipment.AEOMutualRecognitionParty):
        path = f"{SHIPMENT}.AEOMutualRecognitionParty[{i}]"
        if aeo.RoleCode in roles:
            yield FieldError(f"{path}.RoleCode", f"{aeo.RoleCode} is listed twice")
        roles.add(aeo.RoleCode)
        if aeo.RoleCode == "DT" and d.Declarant is None:
            yield FieldError(f"{path}.RoleCode", "DT (declarant) but the declaration names no Declarant")


def _valuation(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
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
                yield from _amount(f"{where}.{name}", charge, codes)
    for i, exchange in enumerate(d.CurrencyExchange):
        path = f"Declaration.CurrencyExchange[{i}]"
        if not codes.currency_exists(exchange.CurrencyTypeCode):
            yield FieldError(
                f"{path}.CurrencyTypeCode", f"{exchange.CurrencyTypeCode!r} is not an ISO 4217 currency code"
            )
        yield from _magnitude(f"{path}.RateNumeric", exchange.RateNumeric)


def _transport(d: Declaration, codes: CodeLookup, office_country: str) -> Iterator[FieldError]:
    border = d.BorderTransportMeans
    if border is not None and border.RegistrationNationalityCode is not None:
        yield from _country(
            "Declaration.BorderTransportMeans.RegistrationNationalityCode",
            border.RegistrationNationalityCode,
            codes,
        )
    location = d.GoodsShipment.Consignment.GoodsLocation
    if location is not None:
        yield from _locode(f"{CONSIGNMENT}.GoodsLocation.ID", location.ID, codes, office_country)


def _consignment(d: Declaration, codes: CodeLookup, exporting: str, destination: str) -> Iterator[FieldError]:
    c = d.GoodsShipment.Consignment
    if d.TypeCode == "EX" and c.Carrier is None:
        yield FieldError(
            f"{CONSIGNMENT}.Carrier", "required on an export: the carrier (ID) whose events move the goods"
        )
    elif c.Carrier is not None and c.Carrier.Address is not None:
        yield from _country(
            f"{CONSIGNMENT}.Carrier.Address.CountryCode", c.Carrier.Address.CountryCode, codes
        )
    yield from _locode(f"{CONSIGNMENT}.LoadingLocation.ID", c.LoadingLocation.ID, codes, exporting)
    yield from _locode(f"{CONSIGNMENT}.UnloadingLocation.ID", c.UnloadingLocation.ID, codes, destination)
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


def _items(d: Declaration, codes: CodeLookup, exporting: str, destination: str) -> Iterator[FieldError]:
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
        yield from _country(f"{path}.Origin.CountryCode", item.Origin.CountryCode, codes)
        charge = item.Commodity.InvoiceLine.ItemChargeAmount
        charge_path = f"{path}.Commodity.InvoiceLine.ItemChargeAmount"
        yield from _amount(charge_path, charge, codes)
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


def _quantities(d: Declaration) -> Iterator[FieldError]:
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
        yield from _magnitude(f"{gm}.{name}.value", m.value)
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


def _dates(d: Declaration) -> Iterator[FieldError]:
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
