"""Cross-field and code-list rules for a declaration; every problem names its field.

Pure: code lists come in as an object answering the ``CodeLookup`` protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Protocol

from corridor.customs.domain.identifiers import (
    container_number_error,
    hs_format_error,
    iec_error,
    inn_error,
)
from corridor.customs.schemas import AmountType as Amount
from corridor.customs.schemas import ClassificationType as Classification
from corridor.customs.schemas import DeclarationType as Declaration
from corridor.customs.schemas import GoodsMeasureType as GoodsMeasure
from corridor.customs.schemas import MeasureType as Measure
from corridor.customs.schemas import PartyType as Party
from corridor.shared.errors import FieldError

NATIONAL_SCHEME = {"IN": "ITC-HS", "RU": "TNVED"}
PARTY_ID_TYPE = {"IN": "IEC", "RU": "INN"}
CORRIDOR_COUNTRIES = frozenset(NATIONAL_SCHEME)
MASS_UNITS = {"KGM": Decimal(1), "TNE": Decimal(1000)}
LARGEST = Decimal("1e15")  # no amount, mass or quantity of one declaration comes near this
ITEMS = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem"
CONSIGNMENT = "Declaration.GoodsShipment.Consignment"


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
    exporting, destination = shipment.ExportCountry.ID, shipment.DestinationCountry.ID
    yield from _country("Declaration.GoodsShipment.ExportCountry.ID", exporting, codes)
    yield from _country("Declaration.GoodsShipment.DestinationCountry.ID", destination, codes)
    if (
        exporting not in CORRIDOR_COUNTRIES
        or destination not in CORRIDOR_COUNTRIES
        or exporting == destination
    ):
        yield FieldError(
            "Declaration.GoodsShipment.DestinationCountry.ID",
            f"the corridor carries IN->RU or RU->IN goods, not {exporting}->{destination}",
        )
        return
    office_country = exporting if d.TypeCode == "EX" else destination
    yield from _locode("Declaration.DeclarationOfficeID", d.DeclarationOfficeID, codes, office_country)
    yield from _party("Declaration.Exporter", d.Exporter, exporting, codes)
    yield from _party("Declaration.Importer", d.Importer, destination, codes)
    if d.Declarant is not None:
        yield from _party("Declaration.Declarant", d.Declarant, exporting, codes)
    yield from _amount("Declaration.Invoice.TotalAmount", d.Invoice.TotalAmount, codes)
    if not codes.incoterm_exists(d.TradeTerms.ConditionCode):
        yield FieldError(
            "Declaration.TradeTerms.ConditionCode",
            f"{d.TradeTerms.ConditionCode!r} is not an Incoterms 2020 rule",
        )
    yield from _locode("Declaration.TradeTerms.LocationID", d.TradeTerms.LocationID, codes, None)
    yield from _consignment(d, codes, exporting, destination)
    yield from _items(d, codes, exporting, destination)
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


def _party(path: str, party: Party, country: str, codes: CodeLookup) -> Iterator[FieldError]:
    yield from _country(f"{path}.Address.CountryCode", party.Address.CountryCode, codes)
    if party.Address.CountryCode != country:
        yield FieldError(f"{path}.Address.CountryCode", f"is {party.Address.CountryCode}, expected {country}")
    expected = PARTY_ID_TYPE[country]
    if party.IdentificationTypeCode != expected:
        yield FieldError(
            f"{path}.IdentificationTypeCode",
            f"a party in {country} is identified by {expected}, not {party.IdentificationTypeCode}",
        )
        return
    problem = iec_error(party.ID) if expected == "IEC" else inn_error(party.ID)
    if problem:
        yield FieldError(f"{path}.ID", problem)


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
    for name, charge in (
        ("FreightChargeAmount", c.FreightChargeAmount),
        ("InsuranceAmount", c.InsuranceAmount),
    ):
        if charge is not None:
            yield from _amount(f"{CONSIGNMENT}.{name}", charge, codes)
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


def _items(d: Declaration, codes: CodeLookup, exporting: str, destination: str) -> Iterator[FieldError]:
    equipment = {e.SequenceNumeric for e in d.GoodsShipment.Consignment.TransportEquipment}
    invoice_currency = d.Invoice.TotalAmount.currencyID
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
        yield from _amount(f"{path}.ItemChargeAmount", item.ItemChargeAmount, codes)
        if item.ItemChargeAmount.currencyID != invoice_currency:
            yield FieldError(
                f"{path}.ItemChargeAmount.currencyID",
                f"is {item.ItemChargeAmount.currencyID}, the invoice is in {invoice_currency}",
            )
        total += item.ItemChargeAmount.value
        for j, seq in enumerate(item.TransportEquipmentSequence):
            if seq not in equipment:
                yield FieldError(f"{path}.TransportEquipmentSequence[{j}]", f"no transport equipment {seq}")
    if total != d.Invoice.TotalAmount.value:
        yield FieldError(
            "Declaration.Invoice.TotalAmount.value",
            f"is {d.Invoice.TotalAmount.value} but the goods items add up to {total}",
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
        ("Declaration.Invoice.IssueDateTime", d.Invoice.IssueDateTime),
        (f"{CONSIGNMENT}.DepartureDateTime", c.DepartureDateTime),
        (f"{CONSIGNMENT}.ArrivalDateTime", c.ArrivalDateTime),
    )
    naive = [name for name, moment in moments if moment.tzinfo is None]
    for name in naive:
        yield FieldError(name, "needs a time zone offset (e.g. Z or +05:30)")
    if naive:
        return
    if d.Invoice.IssueDateTime > c.DepartureDateTime:
        yield FieldError("Declaration.Invoice.IssueDateTime", "is after the departure date-time")
    if c.DepartureDateTime >= c.ArrivalDateTime:
        yield FieldError(f"{CONSIGNMENT}.ArrivalDateTime", "must be after DepartureDateTime")
    if d.IssueDateTime > c.ArrivalDateTime:
        yield FieldError("Declaration.IssueDateTime", "is after the expected arrival; file before arrival")
