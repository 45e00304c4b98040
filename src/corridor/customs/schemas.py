"""The declaration as it crosses the edge: WCO Data Model 3.x names and structure.

Declaration -> GoodsShipment -> Consignment / TransportEquipment -> GovernmentAgencyGoodsItem ->
Commodity / Classification. Structural checks live here (types, required members, no unknown
members); code lists and cross-field rules live in ``corridor.customs.domain.rules``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.shared.scalars import Count, DateTime, Number
from corridor.shared.text import Text

Code = Annotated[str, Text(35)]
"""A code or identifier (WCO an..35)."""
Amount = Annotated[Decimal, Number()]
SequenceNumber = Annotated[Count, Field(ge=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmountType(Strict):
    value: Amount = Field(description="Decimal amount as a string or number")
    currencyID: Code = Field(description="ISO 4217 alphabetic code")


class MeasureType(Strict):
    value: Amount
    unitCode: Code = Field(description="UN/ECE Recommendation 20 unit code")


class AddressType(Strict):
    CountryCode: Code = Field(description="ISO 3166-1 alpha-2")
    CityName: Annotated[str, Text(70)] | None = None
    Line: Annotated[str, Text(256)] | None = None
    PostcodeID: Annotated[str, Text(17)] | None = None


class PartyType(Strict):
    Name: Annotated[str, Text(200)]
    ID: Code = Field(description="IEC (India) or INN (Russia)")
    IdentificationTypeCode: Literal["IEC", "INN"]
    Address: AddressType
    AEOCertificateID: Code | None = Field(
        default=None, description="Authorised Economic Operator certificate"
    )


class LocationType(Strict):
    ID: Code = Field(description="UN/LOCODE, 5 characters")


class CountryType(Strict):
    ID: Code = Field(description="ISO 3166-1 alpha-2")


class TradeTermsType(Strict):
    ConditionCode: Code = Field(description="Incoterms 2020 rule, e.g. FOB")
    LocationID: Code = Field(description="UN/LOCODE of the named place")


class InvoiceType(Strict):
    ID: Code
    IssueDateTime: DateTime
    TotalAmount: AmountType


class TransportMeansType(Strict):
    ModeCode: Literal["1", "2", "3", "4", "5", "7", "8", "9"] = Field(
        description="UN/ECE Recommendation 19 mode of transport: 1 sea, 2 rail, 3 road, 4 air"
    )
    Name: Annotated[str, Text(70)] | None = None
    ID: Code | None = Field(default=None, description="IMO number, flight or train number")


class TransportEquipmentType(Strict):
    SequenceNumeric: SequenceNumber
    ID: Code = Field(description="ISO 6346 container number")
    SealID: list[Code] = Field(default_factory=list, max_length=99)


class TransportContractDocumentType(Strict):
    ID: Code = Field(description="Bill of lading or waybill number")
    TypeCode: Code = Field(default="705", description="UN/EDIFACT 1001: 705 bill of lading, 740 air waybill")


class CarrierType(Strict):
    """The party that carries the consignment; its API key is bound to ``ID``."""

    Name: Annotated[str, Text(200)] | None = None
    ID: Code = Field(description="SCAC, IMO company number, IEC or INN")
    Address: AddressType | None = None


class ConsignmentType(Strict):
    LoadingLocation: LocationType
    UnloadingLocation: LocationType
    DepartureDateTime: DateTime
    ArrivalDateTime: DateTime = Field(description="Expected arrival at the unloading location")
    DepartureTransportMeans: TransportMeansType
    TransportContractDocument: TransportContractDocumentType
    Carrier: CarrierType | None = Field(
        default=None, description="Required on an export declaration; optional on stored and peer data"
    )
    TransportEquipment: list[TransportEquipmentType] = Field(default_factory=list, max_length=999)
    FreightChargeAmount: AmountType | None = None
    InsuranceAmount: AmountType | None = None


class ClassificationType(Strict):
    ID: Code
    IdentificationTypeCode: Literal["HS", "ITC-HS", "TNVED"]


class CommodityType(Strict):
    Description: Annotated[str, Text(512, multiline=True)]
    Classification: list[ClassificationType] = Field(min_length=1, max_length=9)


class GoodsMeasureType(Strict):
    GrossMassMeasure: MeasureType
    NetNetWeightMeasure: MeasureType
    TariffQuantity: MeasureType


class OriginType(Strict):
    CountryCode: Code


class AdditionalDocumentType(Strict):
    ID: Annotated[str, Text(70)] = Field(description="Document number or OpenAttestation targetHash")
    TypeCode: Code = Field(description="UN/EDIFACT 1001, e.g. 861 certificate of origin, 380 invoice")


class GovernmentAgencyGoodsItemType(Strict):
    SequenceNumeric: SequenceNumber
    Commodity: CommodityType
    GoodsMeasure: GoodsMeasureType
    Origin: OriginType
    ItemChargeAmount: AmountType = Field(description="Invoice value of the item")
    TransportEquipmentSequence: list[SequenceNumber] = Field(default_factory=list, max_length=999)


class GoodsShipmentType(Strict):
    ExportCountry: CountryType
    DestinationCountry: CountryType
    Consignment: ConsignmentType
    GovernmentAgencyGoodsItem: list[GovernmentAgencyGoodsItemType] = Field(min_length=1, max_length=999)


class DeclarationType(Strict):
    TypeCode: Literal["EX", "IM"] = Field(description="EX export declaration, IM import declaration")
    FunctionalReferenceID: Code = Field(description="Declarant's own reference (LRN), unique per declarant")
    IssueDateTime: DateTime
    DeclarationOfficeID: Code = Field(description="UN/LOCODE of the customs office")
    Exporter: PartyType
    Importer: PartyType
    Declarant: PartyType | None = None
    Invoice: InvoiceType
    TradeTerms: TradeTermsType
    GoodsShipment: GoodsShipmentType
    AdditionalDocument: list[AdditionalDocumentType] = Field(default_factory=list, max_length=99)


class DeclarationDocument(Strict):
    """The filed document: ``{"Declaration": {...}}``."""

    Declaration: DeclarationType
