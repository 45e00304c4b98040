"""Sample trade documents matching a sample declaration: certificate of origin and commercial
invoice (SAMPLE DATA), for the issuing body to wrap and the declaration to reference."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

CERTIFICATE_OF_ORIGIN, INVOICE = "861", "380"  # UN/EDIFACT 1001 document name codes
MODES = {"1": "SEA", "2": "RAIL", "3": "ROAD", "4": "AIR"}


def _party(party: dict[str, Any]) -> dict[str, Any]:
    address = party.get("Address", {})
    return {
        "name": party["Name"],
        "id": party["ID"],
        "countryCode": address["CountryCode"],
        "address": ", ".join(str(address[k]) for k in ("Line", "CityName", "PostcodeID") if address.get(k)),
    }


def documents_for(declaration: dict[str, Any]) -> list[dict[str, Any]]:
    """A certificate of origin and a commercial invoice that agree with the declaration."""
    shipment = declaration["Declaration"]["GoodsShipment"]
    national = "ITC-HS" if shipment["ExportCountry"]["ID"] == "IN" else "TNVED"
    lines = []
    for item in shipment["GovernmentAgencyGoodsItem"]:
        code = next(
            c["ID"] for c in item["Commodity"]["Classification"] if c["IdentificationTypeCode"] == national
        )
        lines.append((item, code))
    return [_certificate_of_origin(declaration, lines), _commercial_invoice(declaration, lines)]


def _certificate_of_origin(
    declaration: dict[str, Any], lines: list[tuple[dict[str, Any], str]]
) -> dict[str, Any]:
    d = declaration["Declaration"]
    shipment = d["GoodsShipment"]
    consignment = shipment["Consignment"]
    invoice_ref = shipment["Invoice"]
    issued = invoice_ref["IssueDateTime"][:10]
    return {
        "$template": {"name": "CERTIFICATE_OF_ORIGIN", "type": "EMBEDDED_RENDERER"},
        "documentType": "CERTIFICATE_OF_ORIGIN",
        "id": f"SAMPLE-CO-{d['FunctionalReferenceID']}",
        "issueDate": issued,
        "exporter": _party(d["Exporter"]),
        "consignee": _party(shipment["Importer"]),
        "transport": {
            "mode": MODES.get(consignment["DepartureTransportMeans"]["ModeCode"], "MULTIMODAL"),
            "portOfLoading": consignment["LoadingLocation"]["ID"],
            "portOfDischarge": consignment["UnloadingLocation"]["ID"],
        },
        "items": [
            {
                "lineNumber": n,
                "description": item["Commodity"]["Description"],
                "hsCode": code,
                "quantity": copy.deepcopy(item["GoodsMeasure"]["TariffQuantity"]),
                "originCriterion": "Wholly obtained or sufficiently processed in the exporting country",
                "originCountry": item["Origin"]["CountryCode"],
            }
            for n, (item, code) in enumerate(lines, start=1)
        ],
        "invoice": {"number": invoice_ref["ID"], "date": issued},
        "countryOfOrigin": lines[0][0]["Origin"]["CountryCode"],
        "importingCountry": shipment["Destination"]["CountryCode"],
        "certification": {"place": consignment["LoadingLocation"]["ID"], "date": issued},
        "remarks": "SAMPLE DATA: fictitious parties and goods.",
    }


def _commercial_invoice(
    declaration: dict[str, Any], lines: list[tuple[dict[str, Any], str]]
) -> dict[str, Any]:
    d = declaration["Declaration"]
    shipment = d["GoodsShipment"]
    invoice_ref, terms = shipment["Invoice"], shipment["TradeTerms"]
    currency = d["InvoiceAmount"]["currencyID"]
    return {
        "$template": {"name": "COMMERCIAL_INVOICE", "type": "EMBEDDED_RENDERER"},
        "documentType": "COMMERCIAL_INVOICE",
        "id": f"SAMPLE-INV-{invoice_ref['ID']}",
        "issueDate": invoice_ref["IssueDateTime"][:10],
        "invoiceNumber": invoice_ref["ID"],
        "seller": _party(d["Exporter"]),
        "buyer": _party(shipment["Importer"]),
        "incoterms": {"code": terms["ConditionCode"], "place": terms["LocationID"]},
        "currency": currency,
        "items": [
            {
                "lineNumber": n,
                "description": item["Commodity"]["Description"],
                "hsCode": code,
                "quantity": copy.deepcopy(item["GoodsMeasure"]["TariffQuantity"]),
                "unitPrice": {"value": _unit_price(item), "currencyID": currency},
                "amount": copy.deepcopy(item["Commodity"]["InvoiceLine"]["ItemChargeAmount"]),
                "originCountry": item["Origin"]["CountryCode"],
            }
            for n, (item, code) in enumerate(lines, start=1)
        ],
        "totalAmount": copy.deepcopy(d["InvoiceAmount"]),
        "remarks": "SAMPLE DATA: fictitious parties and goods.",
    }


def _unit_price(item: dict[str, Any]) -> str:
    value = Decimal(item["Commodity"]["InvoiceLine"]["ItemChargeAmount"]["value"]) / Decimal(
        item["GoodsMeasure"]["TariffQuantity"]["value"]
    )
    return str(value.quantize(Decimal("0.0001")))


def reference(declaration: dict[str, Any], wrapped: list[dict[str, Any]]) -> dict[str, Any]:
    """The declaration with AdditionalDocument entries naming the wrapped documents' targetHashes."""
    referenced = copy.deepcopy(declaration)
    codes = {"CERTIFICATE_OF_ORIGIN": CERTIFICATE_OF_ORIGIN, "COMMERCIAL_INVOICE": INVOICE}
    referenced["Declaration"]["AdditionalDocument"] = [
        {"ID": w["signature"]["targetHash"], "TypeCode": codes.get(_document_type(w), "916")} for w in wrapped
    ]
    return referenced


def _document_type(wrapped: dict[str, Any]) -> str:
    # salted value "uuid:string:CERTIFICATE_OF_ORIGIN"
    return str(wrapped["data"]["documentType"]).split(":", 2)[-1]
