"""The declaration as it crosses the edge: WCO Data Model 3.x names and structure.

Declaration -> GoodsShipment -> Consignment / TransportEquipment -> GovernmentAgencyGoodsItem ->
Commodity / Classification. Structural checks live here (types, required members, no unknown
members); code lists and cross-field rules live in ``corridor.customs.domain.rules``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmountType(Strict):
    value: Decimal = Field(description="Decimal amount as a string or number")
    currencyID: str = Field(description="ISO 4217 alphabetic code")


class MeasureType(Strict):
    value: Decimal
    unitCode: str = Field(description="UN/ECE Recommendation 20 unit code")


class AddressType(Strict):
    CountryCode: str = Field(description="ISO 3166-1 alpha-2")
    CityName: str | None = None
    Line: str | None = None
    PostcodeID: str | None = None


class PartyType(Strict):
    Name: str = Field(min_length=1, max_length=200)
    ID: str = Field(min_length=1, max_length=35, description="IEC (India) or INN (Russia)")
    IdentificationTypeCode: Literal["IEC", "INN"]
    Address: AddressType
    AEOCertificateID: str | None = Field(default=None, description="Authorised Economic Operator certificate")


class LocationType(Strict):
    ID: str = Field(description="UN/LOCODE, 5 characters")


class CountryType(Strict):
    ID: str = Field(description="ISO 3166-1 alpha-2")


class TradeTermsType(Strict):
    ConditionCode: str = Field(description="Incoterms 2020 rule, e.g. FOB")
    LocationID: str = Field(description="UN/LOCODE of the named place")


class InvoiceType(Strict):
    ID: str = Field(min_length=1, max_length=35)
    IssueDateTime: datetime
    TotalAmount: AmountType


class TransportMeansType(Strict):
    ModeCode: Literal["1", "2", "3", "4", "5", "7", "8", "9"] = Field(
        description="UN/ECE Recommendation 19 mode of transport: 1 sea, 2 rail, 3 road, 4 air"
    )
    Name: str | None = None
    ID: str | None = Field(default=None, description="IMO number, flight or train number")


class TransportEquipmentType(Strict):
    SequenceNumeric: int = Field(ge=1)
    ID: str = Field(description="ISO 6346 container number")
    SealID: list[str] = Field(default_factory=list)


class TransportContractDocumentType(Strict):
    ID: str = Field(min_length=1, max_length=35, description="Bill of lading or waybill number")
    TypeCode: str = Field(default="705", description="UN/EDIFACT 1001: 705 bill of lading, 740 air waybill")


class CarrierType(Strict):
    """The party that carries the consignment; its API key is bound to ``ID``."""

    Name: str | None = Field(default=None, min_length=1, max_length=200)
    ID: str = Field(min_length=1, max_length=35, description="SCAC, IMO company number, IEC or INN")
    Address: AddressType | None = None


class ConsignmentType(Strict):
    LoadingLocation: LocationType
    UnloadingLocation: LocationType
    DepartureDateTime: datetime
    ArrivalDateTime: datetime = Field(description="Expected arrival at the unloading location")
    DepartureTransportMeans: TransportMeansType
    TransportContractDocument: TransportContractDocumentType
    Carrier: CarrierType | None = Field(
        default=None, description="Required on an export declaration; optional on stored and peer data"
    )
    TransportEquipment: list[TransportEquipmentType] = Field(default_factory=list)
    FreightChargeAmount: AmountType | None = None
    InsuranceAmount: AmountType | None = None


class ClassificationType(Strict):
    ID: str
    IdentificationTypeCode: Literal["HS", "ITC-HS", "TNVED"]


class CommodityType(Strict):
    Description: str = Field(min_length=1, max_length=512)
    Classification: list[ClassificationType] = Field(min_length=1)


class GoodsMeasureType(Strict):
    GrossMassMeasure: MeasureType
    NetNetWeightMeasure: MeasureType
    TariffQuantity: MeasureType


class OriginType(Strict):
    CountryCode: str


class AdditionalDocumentType(Strict):
    ID: str = Field(min_length=1, max_length=70, description="Document number or OpenAttestation targetHash")
    TypeCode: str = Field(description="UN/EDIFACT 1001, e.g. 861 certificate of origin, 380 invoice")


class GovernmentAgencyGoodsItemType(Strict):
    SequenceNumeric: int = Field(ge=1)
    Commodity: CommodityType
    GoodsMeasure: GoodsMeasureType
    Origin: OriginType
    ItemChargeAmount: AmountType = Field(description="Invoice value of the item")
    TransportEquipmentSequence: list[int] = Field(default_factory=list)


class GoodsShipmentType(Strict):
    ExportCountry: CountryType
    DestinationCountry: CountryType
    Consignment: ConsignmentType
    GovernmentAgencyGoodsItem: list[GovernmentAgencyGoodsItemType] = Field(min_length=1, max_length=999)


class DeclarationType(Strict):
    TypeCode: Literal["EX", "IM"] = Field(description="EX export declaration, IM import declaration")
    FunctionalReferenceID: str = Field(
        min_length=1, max_length=35, description="Declarant's own reference (LRN), unique per declarant"
    )
    IssueDateTime: datetime
    DeclarationOfficeID: str = Field(description="UN/LOCODE of the customs office")
    Exporter: PartyType
    Importer: PartyType
    Declarant: PartyType | None = None
    Invoice: InvoiceType
    TradeTerms: TradeTermsType
    GoodsShipment: GoodsShipmentType
    AdditionalDocument: list[AdditionalDocumentType] = Field(default_factory=list)


class DeclarationDocument(Strict):
    """The filed document: ``{"Declaration": {...}}``."""

    Declaration: DeclarationType
