"""What the cross-check reads from a trade document's data: parties, lines, invoice number, label.

All knowledge of the documents' JSON shapes sits here, so a change of their schema is a change here only.
"""

from __future__ import annotations

from typing import Any, Literal

from corridor.documents.crosscheck.json_access import Line, Party, as_decimal, as_list, get_in

DOC_LABEL = {
    "CERTIFICATE_OF_ORIGIN": "certificate of origin",
    "COMMERCIAL_INVOICE": "commercial invoice",
    "PACKING_LIST": "packing list",
    "BILL_OF_LADING": "bill of lading",
}
PARTY_FIELDS = {
    "CERTIFICATE_OF_ORIGIN": ("exporter", "consignee"),
    "COMMERCIAL_INVOICE": ("seller", "buyer"),
    "PACKING_LIST": ("shipper", "consignee"),
    "BILL_OF_LADING": ("shipper", "consignee"),
}


def doc_party(doc: dict[str, Any], role: Literal["exporter", "importer"]) -> tuple[str, Party] | None:
    fields = PARTY_FIELDS.get(doc.get("documentType", ""))
    if fields is None:
        return None
    key = fields[0] if role == "exporter" else fields[1]
    return key, Party(get_in(doc, key, "name"), get_in(doc, key, "id"))


def doc_lines(doc: dict[str, Any]) -> list[Line]:
    kind = doc.get("documentType")
    out: list[Line] = []
    if kind in ("CERTIFICATE_OF_ORIGIN", "COMMERCIAL_INVOICE"):
        for i, it in enumerate(as_list(doc.get("items"))):
            out.append(
                Line(
                    hs=get_in(it, "hsCode"),
                    quantity=as_decimal(get_in(it, "quantity", "value")),
                    unit=get_in(it, "quantity", "unitCode"),
                    amount=as_decimal(get_in(it, "amount", "value")),
                    currency=get_in(it, "amount", "currencyID"),
                    origin=get_in(it, "originCountry"),
                    path=f"items[{i}]",
                )
            )
    elif kind == "PACKING_LIST":
        for p, pkg in enumerate(as_list(doc.get("packages"))):
            for i, it in enumerate(as_list(get_in(pkg, "items"))):
                out.append(
                    Line(
                        hs=get_in(it, "hsCode"),
                        quantity=as_decimal(get_in(it, "quantity", "value")),
                        unit=get_in(it, "quantity", "unitCode"),
                        amount=None,
                        currency=None,
                        origin=None,
                        path=f"packages[{p}].items[{i}]",
                    )
                )
    elif kind == "BILL_OF_LADING":
        for i, it in enumerate(as_list(doc.get("cargo"))):
            out.append(Line(get_in(it, "hsCode"), None, None, None, None, None, f"cargo[{i}]"))
    return out


def doc_invoice_number(doc: dict[str, Any]) -> tuple[str, str | None] | None:
    kind = doc.get("documentType")
    if kind == "COMMERCIAL_INVOICE":
        return "invoiceNumber", doc.get("invoiceNumber")
    if kind == "CERTIFICATE_OF_ORIGIN":
        return "invoice.number", get_in(doc, "invoice", "number")
    if kind == "PACKING_LIST":
        return "invoiceNumber", doc.get("invoiceNumber")
    return None


def document_label(doc: dict[str, Any]) -> str:
    kind = doc.get("documentType", "")
    return f"{DOC_LABEL.get(kind, 'document')} {doc.get('id', '')}".strip()
