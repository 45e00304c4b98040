"""What the cross-check reads from a declaration (WCO-style JSON): parties, invoice, lines, references.

All knowledge of the declaration's JSON shape sits here, so a change of its schema is a change here only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from corridor.documents.crosscheck.json_access import Line, Party, as_decimal, as_list, get_in

ITEMS = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem"


def _decl(declaration: dict[str, Any]) -> dict[str, Any]:
    inner = declaration.get("Declaration")
    return inner if isinstance(inner, dict) else declaration


PARTY_PATHS: dict[str, tuple[str, ...]] = {
    "Exporter": ("Exporter",),
    "Importer": ("GoodsShipment", "Importer"),
}


def decl_party(declaration: dict[str, Any], role: Literal["Exporter", "Importer"]) -> Party:
    d = _decl(declaration)
    return Party(get_in(d, *PARTY_PATHS[role], "Name"), get_in(d, *PARTY_PATHS[role], "ID"))


def decl_invoice(declaration: dict[str, Any]) -> tuple[str | None, Decimal | None, str | None]:
    d = _decl(declaration)
    return (
        get_in(d, "GoodsShipment", "Invoice", "ID"),
        as_decimal(get_in(d, "InvoiceAmount", "value")),
        get_in(d, "InvoiceAmount", "currencyID"),
    )


def decl_lines(declaration: dict[str, Any]) -> list[Line]:
    d = _decl(declaration)
    out = []
    for i, item in enumerate(as_list(get_in(d, "GoodsShipment", "GovernmentAgencyGoodsItem"))):
        classes = as_list(get_in(item, "Commodity", "Classification"))
        hs = next((str(c.get("ID")) for c in classes if isinstance(c, dict) and c.get("ID")), None)
        qty = get_in(item, "GoodsMeasure", "TariffQuantity")
        out.append(
            Line(
                hs=hs,
                quantity=as_decimal(get_in(qty, "value")),
                unit=get_in(qty, "unitCode"),
                amount=as_decimal(get_in(item, "Commodity", "InvoiceLine", "ItemChargeAmount", "value")),
                currency=get_in(item, "Commodity", "InvoiceLine", "ItemChargeAmount", "currencyID"),
                origin=get_in(item, "Origin", "CountryCode"),
                path=f"{ITEMS}[{i}]",
            )
        )
    return out


def decl_document_refs(declaration: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(ID, TypeCode) of every AdditionalDocument; for OA documents the ID is the targetHash."""
    d = _decl(declaration)
    refs = []
    for doc in as_list(d.get("AdditionalDocument")):
        if isinstance(doc, dict) and isinstance(doc.get("ID"), str):
            refs.append((doc["ID"], doc.get("TypeCode")))
    return refs
