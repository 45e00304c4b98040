"""Names and limits the declaration rules share: national tariff schemes, procedure codes, paths."""

from __future__ import annotations

from decimal import Decimal

from corridor.customs.domain.wco import ClassificationType as Classification
from corridor.customs.domain.wco import MeasureType as Measure

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


def mass_in_kg(measure: Measure) -> Decimal | None:
    factor = MASS_UNITS.get(measure.unitCode)
    return None if factor is None else measure.value * factor


def national_code(classifications: list[Classification], country: str) -> str:
    scheme = NATIONAL_SCHEME[country]
    return next(c.ID for c in classifications if c.IdentificationTypeCode == scheme)
