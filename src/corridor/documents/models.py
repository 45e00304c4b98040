"""Raw (unwrapped) trade documents: certificate of origin, commercial invoice, packing list and
bill of lading. Field names are camelCase JSON; amounts and quantities are decimal strings, never
floats. Codes: ISO 3166 countries, ISO 4217 currencies, UN/LOCODE ports, UN/ECE Rec 20 units,
HS 6-digit headings with national extensions (ITC-HS 8, TN VED 10), ISO 6346 containers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from corridor.shared import text
from corridor.shared.errors import FieldError, InvalidInput

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")]
Locode = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$", description="UN/LOCODE")]
HsCode = Annotated[
    str, Field(pattern=r"^\d{6}(\d{2}|\d{4})?$", description="HS 6, ITC-HS 8 or TN VED 10 digits")
]
Decimal = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", description="decimal number as a string")]
Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Text = Annotated[str, text.Text(512, multiline=True)]
Short = Annotated[str, text.Text(120)]
Long = Annotated[str, text.Text(4000, multiline=True)]

DOCUMENT_TYPES = ("CERTIFICATE_OF_ORIGIN", "COMMERCIAL_INVOICE", "PACKING_LIST", "BILL_OF_LADING")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Template(_Model):
    name: Short
    type: Literal["EMBEDDED_RENDERER"] = "EMBEDDED_RENDERER"
    url: Text | None = None


class IdentityProof(_Model):
    type: Literal["DID", "DNS-TXT", "DNS-DID"]
    key: Text | None = None
    location: Text | None = None


class IssuerRef(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: Text
    name: Text
    identityProof: IdentityProof


class Party(_Model):
    name: Text
    address: Text
    countryCode: Country
    id: Short | None = Field(
        default=None, description="India IEC (10 chars), Russia INN (10/12 digits), or other"
    )


class Measure(_Model):
    value: Decimal
    unitCode: str = Field(pattern=r"^[A-Z0-9]{2,3}$", description="UN/ECE Rec 20")


class Amount(_Model):
    value: Decimal
    currencyID: Currency


class InvoiceRef(_Model):
    number: Text
    date: Date


class Transport(_Model):
    mode: Literal["SEA", "AIR", "RAIL", "ROAD", "MULTIMODAL"]
    vesselName: Short | None = None
    voyageNumber: Short | None = None
    portOfLoading: Locode
    portOfDischarge: Locode
    departureDate: Date | None = None
    route: Text | None = None


class _Base(_Model):
    template: Template | None = Field(default=None, alias="$template")
    id: Text
    issuers: list[IssuerRef] | None = None
    issueDate: Date
    remarks: Long | None = None


class CertificateItem(_Model):
    lineNumber: int = Field(ge=1)
    description: Text
    hsCode: HsCode
    marksAndNumbers: Text | None = None
    packageCount: int | None = Field(default=None, ge=0)
    packageType: Short | None = Field(default=None, description="UN/ECE Rec 21 package type")
    quantity: Measure
    grossWeight: Measure | None = None
    originCriterion: Short = Field(description="e.g. WO (wholly obtained), PE, CTH")
    originCountry: Country


class Certification(_Model):
    place: Text
    date: Date
    officerName: Short | None = None
    officerTitle: Short | None = None


class CertificateOfOrigin(_Base):
    documentType: Literal["CERTIFICATE_OF_ORIGIN"]
    certificateType: Literal["NON_PREFERENTIAL"] = "NON_PREFERENTIAL"
    exporter: Party
    consignee: Party
    producer: Party | None = None
    transport: Transport
    items: list[CertificateItem] = Field(min_length=1)
    invoice: InvoiceRef
    countryOfOrigin: Country
    importingCountry: Country
    exporterDeclaration: Long | None = None
    certification: Certification


class InvoiceItem(_Model):
    lineNumber: int = Field(ge=1)
    description: Text
    hsCode: HsCode
    quantity: Measure
    unitPrice: Amount
    amount: Amount
    originCountry: Country


class Incoterms(_Model):
    code: Literal["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"]
    place: Text


class CommercialInvoice(_Base):
    documentType: Literal["COMMERCIAL_INVOICE"]
    invoiceNumber: Text
    seller: Party
    buyer: Party
    incoterms: Incoterms
    currency: Currency
    items: list[InvoiceItem] = Field(min_length=1)
    freight: Amount | None = None
    insurance: Amount | None = None
    totalAmount: Amount
    paymentTerms: Text | None = None


class PackedItem(_Model):
    lineNumber: int = Field(ge=1)
    hsCode: HsCode
    description: Text
    quantity: Measure


class Package(_Model):
    marksAndNumbers: Text
    packageType: Short
    packageCount: int = Field(ge=1)
    grossWeight: Measure
    netWeight: Measure
    containerNumber: str | None = Field(default=None, pattern=r"^[A-Z]{4}\d{7}$")
    items: list[PackedItem] = Field(min_length=1)


class PackingList(_Base):
    documentType: Literal["PACKING_LIST"]
    invoiceNumber: Text
    shipper: Party
    consignee: Party
    packages: list[Package] = Field(min_length=1)
    totalGrossWeight: Measure
    totalNetWeight: Measure
    totalPackages: int = Field(ge=1)


class Container(_Model):
    number: str = Field(pattern=r"^[A-Z]{4}\d{7}$", description="ISO 6346")
    sealNumber: Short | None = None
    sizeType: Short | None = Field(default=None, description="ISO 6346 size/type code, e.g. 22G1")


class CargoLine(_Model):
    description: Text
    hsCode: HsCode
    packageCount: int = Field(ge=1)
    packageType: Short
    grossWeight: Measure


class BillOfLading(_Base):
    documentType: Literal["BILL_OF_LADING"]
    blNumber: Text
    carrier: Party
    shipper: Party
    consignee: Party
    notifyParty: Party | None = None
    vesselName: Text
    voyageNumber: Text
    portOfLoading: Locode
    portOfDischarge: Locode
    placeOfDelivery: Text | None = None
    shippedOnBoardDate: Date
    containers: list[Container] = Field(default_factory=list)
    cargo: list[CargoLine] = Field(min_length=1)
    freightTerms: Literal["PREPAID", "COLLECT"]
    numberOfOriginals: int = Field(default=3, ge=0)


MODELS: dict[str, type[_Base]] = {
    "CERTIFICATE_OF_ORIGIN": CertificateOfOrigin,
    "COMMERCIAL_INVOICE": CommercialInvoice,
    "PACKING_LIST": PackingList,
    "BILL_OF_LADING": BillOfLading,
}


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def validate_raw_document(doc: Any, root: str = "") -> None:
    """Check a raw trade document against its model; raise InvalidInput naming every bad field."""
    prefix = f"{root}." if root else ""
    if not isinstance(doc, dict):
        raise InvalidInput([FieldError(root or "document", "must be a JSON object")])
    kind = doc.get("documentType")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise InvalidInput(
            [FieldError(f"{prefix}documentType", f"must be one of {', '.join(DOCUMENT_TYPES)}")]
        )
    try:
        model.model_validate(doc)
    except ValidationError as e:
        raise InvalidInput(
            [FieldError(prefix + _loc(err["loc"]), err["msg"]) for err in e.errors()]
        ) from None
