"""The declaration in WCO Data Model 3.x class and attribute names and nesting: the typed model the
customs aggregate holds, and the shape it crosses the edge in (its JSON is this model's dump).

Declaration -> GoodsShipment -> Consignment / TransportEquipment -> GovernmentAgencyGoodsItem ->
Commodity / Classification, as in the WCO-based declarations of UK CDS and Brazil's DUIMP; the map
from the earlier shape and the corridor's departures from WCO are in ``docs/WCO-DATA-MODEL.md``.
Structural checks live here (types, required members, no unknown members); code lists and
cross-field rules live in ``corridor.customs.domain.rules``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corridor.shared.scalars import Count, DateTime, Number
from corridor.shared.text import Text

CODE_MAX = 35  # characters of a code of the WCO data model (an identifier, a LOCODE, ...)
Code = Annotated[str, Text(CODE_MAX)]
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
    ID: Code = Field(
        description="India: IEC (10 characters) or GSTIN (15); Russia: INN (10 or 12 digits). "
        "The party's country and the length decide the scheme."
    )
    Address: AddressType


class OtherPartyType(Strict):
    """Consignor, Consignee, Seller, Buyer: named, identified when the declarant knows the ID."""

    Name: Annotated[str, Text(200)]
    ID: Code | None = Field(default=None, description="As for the Exporter; any scheme abroad")
    Address: AddressType


class AEOMutualRecognitionPartyType(Strict):
    ID: Code = Field(description="The party's Authorised Economic Operator certificate number")
    RoleCode: Literal["EX", "IM", "DT"] = Field(description="EX exporter, IM importer, DT declarant")


class LocationType(Strict):
    ID: Code = Field(description="UN/LOCODE, 5 characters")


class CountryType(Strict):
    ID: Code = Field(description="ISO 3166-1 alpha-2")


class DestinationType(Strict):
    CountryCode: Code = Field(description="ISO 3166-1 alpha-2")


class OfficeType(Strict):
    ID: Code = Field(description="UN/LOCODE of the customs office")


class TradeTermsType(Strict):
    ConditionCode: Code = Field(description="Incoterms 2020 rule, e.g. FOB")
    LocationID: Code = Field(description="UN/LOCODE of the named place")


class InvoiceType(Strict):
    ID: Code
    IssueDateTime: DateTime


class CustomsValuationType(Strict):
    MethodCode: Code | None = Field(
        default=None, description="WTO Valuation Agreement method, 1 (transaction value) to 6"
    )
    FreightChargeAmount: AmountType | None = None
    InsuranceAmount: AmountType | None = None


class CurrencyExchangeType(Strict):
    CurrencyTypeCode: Code = Field(description="ISO 4217 code of the invoice currency")
    RateNumeric: Amount = Field(description="Units of the national currency per unit of CurrencyTypeCode")


class BorderTransportMeansType(Strict):
    ModeCode: Literal["1", "2", "3", "4", "5", "7", "8", "9"] = Field(
        description="UN/ECE Recommendation 19 mode of transport at the border"
    )
    ID: Code | None = Field(default=None, description="IMO number, flight or train number")
    Name: Annotated[str, Text(70)] | None = None
    RegistrationNationalityCode: Code | None = Field(default=None, description="ISO 3166-1 alpha-2")


class GoodsLocationType(Strict):
    ID: Code = Field(description="UN/LOCODE where the goods can be examined")
    Name: Annotated[str, Text(70)] | None = None


class UCRType(Strict):
    ID: Code = Field(description="Unique Consignment Reference (WCO UCR)")
    TraderAssignedReferenceID: Code | None = None


class PreviousDocumentType(Strict):
    ID: Annotated[str, Text(70)]
    TypeCode: Code = Field(description="Document type code, e.g. 705 bill of lading")
    LineNumeric: SequenceNumber | None = None


class AdditionalInformationType(Strict):
    StatementCode: Code | None = None
    StatementDescription: Annotated[str, Text(512, multiline=True)]


class TransportMeansType(Strict):
    ModeCode: Literal["1", "2", "3", "4", "5", "7", "8", "9"] = Field(
        description="UN/ECE Recommendation 19 mode of transport: 1 sea, 2 rail, 3 road, 4 air"
    )
    Name: Annotated[str, Text(70)] | None = None
    ID: Code | None = Field(default=None, description="IMO number, flight or train number")


class SealType(Strict):
    SequenceNumeric: SequenceNumber
    ID: Code


class TransportEquipmentType(Strict):
    SequenceNumeric: SequenceNumber
    ID: Code = Field(description="ISO 6346 container number")
    Seal: list[SealType] = Field(default_factory=list, max_length=99)


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
    GoodsLocation: GoodsLocationType | None = None


class ClassificationType(Strict):
    ID: Code
    IdentificationTypeCode: Literal["HS", "ITC-HS", "TNVED"]


class InvoiceLineType(Strict):
    ItemChargeAmount: AmountType = Field(description="Invoice value of the item")


class CommodityType(Strict):
    Description: Annotated[str, Text(512, multiline=True)]
    Classification: list[ClassificationType] = Field(min_length=1, max_length=9)
    InvoiceLine: InvoiceLineType


class GoodsMeasureType(Strict):
    GrossMassMeasure: MeasureType
    NetNetWeightMeasure: MeasureType
    TariffQuantity: MeasureType


class OriginType(Strict):
    CountryCode: Code
    TypeCode: Literal["1", "2"] | None = Field(default=None, description="1 non-preferential, 2 preferential")


class PackagingType(Strict):
    SequenceNumeric: SequenceNumber
    TypeCode: Code = Field(description="UN/ECE Recommendation 21 package type code, e.g. CT carton")
    QuantityQuantity: SequenceNumber = Field(description="Number of packages")
    MarksNumbersID: Annotated[str, Text(512, multiline=True)] | None = None


class GovernmentProcedureType(Strict):
    CurrentCode: Code = Field(description="Requested procedure, 2 digits (e.g. 10 export, 40 release)")
    PreviousCode: Code = Field(description="Previous procedure, 2 digits (00 none)")


class AdditionalDocumentType(Strict):
    ID: Annotated[str, Text(70)] = Field(description="Document number or OpenAttestation targetHash")
    TypeCode: Code = Field(description="UN/EDIFACT 1001, e.g. 861 certificate of origin, 380 invoice")


class GovernmentAgencyGoodsItemType(Strict):
    SequenceNumeric: SequenceNumber
    Commodity: CommodityType
    GoodsMeasure: GoodsMeasureType
    Origin: OriginType
    Packaging: list[PackagingType] = Field(default_factory=list, max_length=99)
    GovernmentProcedure: list[GovernmentProcedureType] = Field(default_factory=list, max_length=99)
    AdditionalInformation: list[AdditionalInformationType] = Field(default_factory=list, max_length=99)
    TransportEquipmentSequence: list[SequenceNumber] = Field(default_factory=list, max_length=999)


class GoodsShipmentType(Strict):
    Importer: PartyType
    Consignor: OtherPartyType | None = None
    Consignee: OtherPartyType | None = None
    Seller: OtherPartyType | None = None
    Buyer: OtherPartyType | None = None
    AEOMutualRecognitionParty: list[AEOMutualRecognitionPartyType] = Field(default_factory=list, max_length=9)
    TradeTerms: TradeTermsType
    Invoice: InvoiceType
    CustomsValuation: CustomsValuationType | None = None
    ExportCountry: CountryType
    Destination: DestinationType
    UCR: UCRType | None = None
    PreviousDocument: list[PreviousDocumentType] = Field(default_factory=list, max_length=99)
    Consignment: ConsignmentType
    GovernmentAgencyGoodsItem: list[GovernmentAgencyGoodsItemType] = Field(min_length=1, max_length=999)


class DeclarationType(Strict):
    FunctionCode: Literal["9"] = Field(description="UN/EDIFACT 1225 message function: 9 original")
    TypeCode: Literal["EX", "IM"] = Field(description="EX export declaration, IM import declaration")
    FunctionalReferenceID: Code = Field(description="Declarant's own reference (LRN), unique per declarant")
    IssueDateTime: DateTime
    GoodsItemQuantity: SequenceNumber = Field(description="Number of GovernmentAgencyGoodsItem")
    TotalPackageQuantity: SequenceNumber | None = Field(
        default=None, description="Packages in the whole declaration; the sum of the items' Packaging"
    )
    InvoiceAmount: AmountType = Field(description="Total amount of the commercial invoice")
    DeclarationOffice: OfficeType
    Exporter: PartyType
    Declarant: PartyType | None = None
    BorderTransportMeans: BorderTransportMeansType | None = None
    CurrencyExchange: list[CurrencyExchangeType] = Field(default_factory=list, max_length=9)
    AdditionalInformation: list[AdditionalInformationType] = Field(default_factory=list, max_length=99)
    GoodsShipment: GoodsShipmentType
    AdditionalDocument: list[AdditionalDocumentType] = Field(default_factory=list, max_length=99)


class DeclarationDocument(Strict):
    """The filed document: ``{"Declaration": {...}}``."""

    Declaration: DeclarationType

    def to_json(self) -> dict[str, Any]:
        """The JSON stored, served and signed (absent members left out)."""
        return self.model_dump(mode="json", exclude_none=True)
