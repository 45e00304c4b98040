"""Every rule over one declaration, in the order an officer reads it; each problem names its field."""

from __future__ import annotations

from collections.abc import Iterator

from corridor.customs.domain.rules.field_checks import check_amount, check_country, check_locode
from corridor.customs.domain.rules.goods_items import check_items
from corridor.customs.domain.rules.lookup import CodeLookup
from corridor.customs.domain.rules.parties import check_other_parties, check_party
from corridor.customs.domain.rules.shipment import (
    check_consignment,
    check_dates,
    check_quantities,
    check_transport,
    check_valuation,
)
from corridor.customs.domain.rules.vocabulary import CORRIDOR_COUNTRIES, SHIPMENT
from corridor.customs.domain.wco import DeclarationType as Declaration
from corridor.shared.errors import FieldError


def declaration_errors(decl: Declaration, codes: CodeLookup) -> list[FieldError]:
    return list(_all(decl, codes))


def _all(d: Declaration, codes: CodeLookup) -> Iterator[FieldError]:
    shipment = d.GoodsShipment
    exporting, destination = shipment.ExportCountry.ID, shipment.Destination.CountryCode
    yield from check_country(f"{SHIPMENT}.ExportCountry.ID", exporting, codes)
    yield from check_country(f"{SHIPMENT}.Destination.CountryCode", destination, codes)
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
    yield from check_locode("Declaration.DeclarationOffice.ID", d.DeclarationOffice.ID, codes, office_country)
    yield from check_party("Declaration.Exporter", d.Exporter, exporting, codes)
    yield from check_party(f"{SHIPMENT}.Importer", shipment.Importer, destination, codes)
    if d.Declarant is not None:
        yield from check_party("Declaration.Declarant", d.Declarant, exporting, codes)
    yield from check_other_parties(d, codes)
    yield from check_amount("Declaration.InvoiceAmount", d.InvoiceAmount, codes)
    if not codes.incoterm_exists(shipment.TradeTerms.ConditionCode):
        yield FieldError(
            f"{SHIPMENT}.TradeTerms.ConditionCode",
            f"{shipment.TradeTerms.ConditionCode!r} is not an Incoterms 2020 rule",
        )
    yield from check_locode(f"{SHIPMENT}.TradeTerms.LocationID", shipment.TradeTerms.LocationID, codes, None)
    yield from check_valuation(d, codes)
    yield from check_transport(d, codes, office_country)
    yield from check_consignment(d, codes, exporting, destination)
    yield from check_items(d, codes, exporting, destination)
    yield from check_quantities(d)
    yield from check_dates(d)
    for i, doc in enumerate(d.AdditionalDocument):
        if not (doc.TypeCode.isascii() and doc.TypeCode.isdigit()) or len(doc.TypeCode) != 3:
            yield FieldError(
                f"Declaration.AdditionalDocument[{i}].TypeCode", "must be a 3-digit UN/EDIFACT 1001 code"
            )
