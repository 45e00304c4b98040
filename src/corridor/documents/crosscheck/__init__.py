"""Cross-check a declaration against the trade documents it references (pure, no I/O).

``cross_check(declaration, documents)`` compares the WCO-style declaration with the unwrapped
data of verified documents: exporter and importer, invoice number, HS codes (6-digit heading),
quantities, values and currency, and country of origin. Each mismatch is a ``Finding`` for the
yellow lane with the declaration path and the exact reason. ``assess_documents`` verifies the
wrapped documents first: a tampered, forged or revoked document is a red finding.

All knowledge of the two JSON shapes sits in ``declaration_view`` and ``document_view``, so a change
of the declaration schema is a change there only."""

from corridor.documents.crosscheck.assessment import HEX64, assess_documents, cross_check
from corridor.documents.crosscheck.declaration_view import (
    ITEMS,
    PARTY_PATHS,
    decl_document_refs,
    decl_invoice,
    decl_lines,
    decl_party,
)
from corridor.documents.crosscheck.document_view import (
    DOC_LABEL,
    PARTY_FIELDS,
    doc_invoice_number,
    doc_lines,
    doc_party,
)
from corridor.documents.crosscheck.findings import Finding, Lane
from corridor.documents.crosscheck.goods import hs6
from corridor.documents.crosscheck.json_access import Line, Party
from corridor.documents.crosscheck.parties import normalise_name

__all__ = [
    "DOC_LABEL",
    "HEX64",
    "ITEMS",
    "PARTY_FIELDS",
    "PARTY_PATHS",
    "Finding",
    "Lane",
    "Line",
    "Party",
    "assess_documents",
    "cross_check",
    "decl_document_refs",
    "decl_invoice",
    "decl_lines",
    "decl_party",
    "doc_invoice_number",
    "doc_lines",
    "doc_party",
    "hs6",
    "normalise_name",
]
