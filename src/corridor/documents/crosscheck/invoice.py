"""The invoice: its number and total, declaration against the documents that state them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.documents.crosscheck.declaration_view import decl_invoice
from corridor.documents.crosscheck.document_view import doc_invoice_number, document_label
from corridor.documents.crosscheck.findings import Finding
from corridor.documents.crosscheck.json_access import as_decimal, get_in


def check_invoice(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    findings = []
    number, total, currency = decl_invoice(declaration)
    for doc in docs:
        found = doc_invoice_number(doc)
        if found and number and found[1] and str(found[1]).strip() != str(number).strip():
            findings.append(
                Finding(
                    "yellow",
                    "Declaration.GoodsShipment.Invoice.ID",
                    f"{number!r} does not match {document_label(doc)} {found[0]} {found[1]!r}",
                )
            )
        if doc.get("documentType") == "COMMERCIAL_INVOICE":
            doc_total = as_decimal(get_in(doc, "totalAmount", "value"))
            doc_cur = get_in(doc, "totalAmount", "currencyID")
            if currency and doc_cur and currency != doc_cur:
                findings.append(
                    Finding(
                        "yellow",
                        "Declaration.InvoiceAmount.currencyID",
                        f"declared {currency}; the {document_label(doc)} is in {doc_cur}",
                    )
                )
            elif total is not None and doc_total is not None and total != doc_total:
                findings.append(
                    Finding(
                        "yellow",
                        "Declaration.InvoiceAmount.value",
                        f"declared {total} {currency}; the {document_label(doc)} totals {doc_total} {doc_cur}",
                    )
                )
    return findings
