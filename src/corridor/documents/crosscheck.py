"""Cross-check a declaration against the trade documents it references (pure, no I/O).

``cross_check(declaration, documents)`` compares the WCO-style declaration with the unwrapped
data of verified documents: exporter and importer, invoice number, HS codes (6-digit heading),
quantities, values and currency, and country of origin. Each mismatch is a ``Finding`` for the
yellow lane with the declaration path and the exact reason. ``assess_documents`` verifies the
wrapped documents first: a tampered, forged or revoked document is a red finding.

All knowledge of the two JSON shapes sits in the accessor functions at the top of this module,
so a change of the declaration schema is a change here only."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from corridor.documents.issuers import IssuerRegistry
from corridor.documents.revocation import RevocationStore
from corridor.documents.verify import verify_document

Lane = Literal["yellow", "red"]
HEX64 = re.compile(r"^[0-9a-f]{64}$")
ITEMS = "Declaration.GoodsShipment.GovernmentAgencyGoodsItem"


@dataclass(frozen=True, slots=True)
class Finding:
    lane: Lane
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"lane": self.lane, "path": self.path, "reason": self.reason}


# --------------------------------------------------------------------------- accessors


def _get(obj: Any, *keys: str | int) -> Any:
    for k in keys:
        if isinstance(k, int):
            obj = obj[k] if isinstance(obj, list) and -len(obj) <= k < len(obj) else None
        else:
            obj = obj.get(k) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dec(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


@dataclass(frozen=True)
class Party:
    name: str | None
    id: str | None


@dataclass(frozen=True)
class Line:
    hs: str | None
    quantity: Decimal | None
    unit: str | None
    amount: Decimal | None
    currency: str | None
    origin: str | None
    path: str


def _decl(declaration: dict[str, Any]) -> dict[str, Any]:
    inner = declaration.get("Declaration")
    return inner if isinstance(inner, dict) else declaration


PARTY_PATHS: dict[str, tuple[str, ...]] = {
    "Exporter": ("Exporter",),
    "Importer": ("GoodsShipment", "Importer"),
}


def decl_party(declaration: dict[str, Any], role: Literal["Exporter", "Importer"]) -> Party:
    d = _decl(declaration)
    return Party(_get(d, *PARTY_PATHS[role], "Name"), _get(d, *PARTY_PATHS[role], "ID"))


def decl_invoice(declaration: dict[str, Any]) -> tuple[str | None, Decimal | None, str | None]:
    d = _decl(declaration)
    return (
        _get(d, "GoodsShipment", "Invoice", "ID"),
        _dec(_get(d, "InvoiceAmount", "value")),
        _get(d, "InvoiceAmount", "currencyID"),
    )


def decl_lines(declaration: dict[str, Any]) -> list[Line]:
    d = _decl(declaration)
    out = []
    for i, item in enumerate(_list(_get(d, "GoodsShipment", "GovernmentAgencyGoodsItem"))):
        classes = _list(_get(item, "Commodity", "Classification"))
        hs = next((str(c.get("ID")) for c in classes if isinstance(c, dict) and c.get("ID")), None)
        qty = _get(item, "GoodsMeasure", "TariffQuantity")
        out.append(
            Line(
                hs=hs,
                quantity=_dec(_get(qty, "value")),
                unit=_get(qty, "unitCode"),
                amount=_dec(_get(item, "Commodity", "InvoiceLine", "ItemChargeAmount", "value")),
                currency=_get(item, "Commodity", "InvoiceLine", "ItemChargeAmount", "currencyID"),
                origin=_get(item, "Origin", "CountryCode"),
                path=f"{ITEMS}[{i}]",
            )
        )
    return out


def decl_document_refs(declaration: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(ID, TypeCode) of every AdditionalDocument; for OA documents the ID is the targetHash."""
    d = _decl(declaration)
    refs = []
    for doc in _list(d.get("AdditionalDocument")):
        if isinstance(doc, dict) and isinstance(doc.get("ID"), str):
            refs.append((doc["ID"], doc.get("TypeCode")))
    return refs


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
    return key, Party(_get(doc, key, "name"), _get(doc, key, "id"))


def doc_lines(doc: dict[str, Any]) -> list[Line]:
    kind = doc.get("documentType")
    out: list[Line] = []
    if kind in ("CERTIFICATE_OF_ORIGIN", "COMMERCIAL_INVOICE"):
        for i, it in enumerate(_list(doc.get("items"))):
            out.append(
                Line(
                    hs=_get(it, "hsCode"),
                    quantity=_dec(_get(it, "quantity", "value")),
                    unit=_get(it, "quantity", "unitCode"),
                    amount=_dec(_get(it, "amount", "value")),
                    currency=_get(it, "amount", "currencyID"),
                    origin=_get(it, "originCountry"),
                    path=f"items[{i}]",
                )
            )
    elif kind == "PACKING_LIST":
        for p, pkg in enumerate(_list(doc.get("packages"))):
            for i, it in enumerate(_list(_get(pkg, "items"))):
                out.append(
                    Line(
                        hs=_get(it, "hsCode"),
                        quantity=_dec(_get(it, "quantity", "value")),
                        unit=_get(it, "quantity", "unitCode"),
                        amount=None,
                        currency=None,
                        origin=None,
                        path=f"packages[{p}].items[{i}]",
                    )
                )
    elif kind == "BILL_OF_LADING":
        for i, it in enumerate(_list(doc.get("cargo"))):
            out.append(Line(_get(it, "hsCode"), None, None, None, None, None, f"cargo[{i}]"))
    return out


def doc_invoice_number(doc: dict[str, Any]) -> tuple[str, str | None] | None:
    kind = doc.get("documentType")
    if kind == "COMMERCIAL_INVOICE":
        return "invoiceNumber", doc.get("invoiceNumber")
    if kind == "CERTIFICATE_OF_ORIGIN":
        return "invoice.number", _get(doc, "invoice", "number")
    if kind == "PACKING_LIST":
        return "invoiceNumber", doc.get("invoiceNumber")
    return None


# --------------------------------------------------------------------------- comparisons


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def hs6(code: str | None) -> str | None:
    if not code:
        return None
    digits = re.sub(r"\D", "", str(code))
    return digits[:6] if len(digits) >= 6 else None


def _label(doc: dict[str, Any]) -> str:
    kind = doc.get("documentType", "")
    return f"{DOC_LABEL.get(kind, 'document')} {doc.get('id', '')}".strip()


def _same_party(a: Party, b: Party) -> tuple[bool, str]:
    if a.id and b.id and str(a.id).strip().upper() != str(b.id).strip().upper():
        return False, "ID"
    if a.name and b.name and normalise_name(a.name) != normalise_name(b.name):
        return False, "name"
    return True, ""


def _check_parties(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    findings = []
    for decl_role, role in (("Exporter", "exporter"), ("Importer", "importer")):
        declared = decl_party(declaration, decl_role)  # type: ignore[arg-type]
        for doc in docs:
            found = doc_party(doc, role)  # type: ignore[arg-type]
            if found is None:
                continue
            key, party = found
            same, what = _same_party(declared, party)
            if not same:
                d_val = declared.id if what == "ID" else declared.name
                p_val = party.id if what == "ID" else party.name
                findings.append(
                    Finding(
                        "yellow",
                        ".".join(("Declaration", *PARTY_PATHS[decl_role], what if what == "ID" else "Name")),
                        f"{d_val!r} does not match {_label(doc)} {key}.{what.lower()} {p_val!r}",
                    )
                )
    return findings


def _sum_by(lines: Iterable[Line], attr: str, unit_attr: str) -> dict[tuple[str, str | None], Decimal]:
    sums: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for line in lines:
        h = hs6(line.hs)
        value = getattr(line, attr)
        if h is not None and value is not None:
            sums[(h, getattr(line, unit_attr))] += value
    return dict(sums)


def _check_goods(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    findings: list[Finding] = []
    declared = decl_lines(declaration)
    declared_hs = {hs6(line.hs) for line in declared}
    for line in declared:
        if hs6(line.hs) is None:
            findings.append(
                Finding(
                    "yellow",
                    f"{line.path}.Commodity.Classification[0].ID",
                    "missing or shorter than 6 digits",
                )
            )
    decl_qty = _sum_by(declared, "quantity", "unit")
    decl_val = _sum_by(declared, "amount", "currency")
    first_path = {hs6(line.hs): line.path for line in reversed(declared)}
    for doc in docs:
        lines = doc_lines(doc)
        if not lines:
            continue
        label = _label(doc)
        doc_hs = {hs6(line.hs) for line in lines} - {None}
        for line in declared:
            h = hs6(line.hs)
            if h is not None and h not in doc_hs:
                findings.append(
                    Finding(
                        "yellow",
                        f"{line.path}.Commodity.Classification[0].ID",
                        f"HS heading {h} ({line.hs}) does not appear in the {label}",
                    )
                )
        for line in lines:
            h = hs6(line.hs)
            if h is not None and h not in declared_hs:
                findings.append(
                    Finding(
                        "yellow", ITEMS, f"{label} {line.path}.hsCode {line.hs} (heading {h}) is not declared"
                    )
                )
        if doc.get("documentType") in ("CERTIFICATE_OF_ORIGIN", "COMMERCIAL_INVOICE", "PACKING_LIST"):
            findings += _compare_sums(
                decl_qty,
                _sum_by(lines, "quantity", "unit"),
                doc_hs,
                first_path,
                ".GoodsMeasure.TariffQuantity",
                label,
            )
        if doc.get("documentType") == "COMMERCIAL_INVOICE":
            findings += _compare_sums(
                decl_val,
                _sum_by(lines, "amount", "currency"),
                doc_hs,
                first_path,
                ".Commodity.InvoiceLine.ItemChargeAmount",
                label,
            )
        findings += _check_origin(declared, doc, lines, label)
    return findings


def _compare_sums(
    declared: Mapping[tuple[str, str | None], Decimal],
    stated: Mapping[tuple[str, str | None], Decimal],
    headings: Collection[str | None],
    first_path: Mapping[str | None, str],
    field: str,
    label: str,
) -> list[Finding]:
    """Quantities (per unit) or values (per currency) summed per HS heading must agree."""
    findings = []
    for (heading, unit), amount in declared.items():
        if heading not in headings or stated.get((heading, unit)) == amount:
            continue
        shown = sorted(f"{v} {u}" for (h, u), v in stated.items() if h == heading)
        findings.append(
            Finding(
                "yellow",
                f"{first_path[heading]}{field}",
                f"declared {amount} {unit} for heading {heading}; the {label} states "
                f"{', '.join(shown) or 'none'}",
            )
        )
    return findings


def _check_origin(declared: list[Line], doc: dict[str, Any], lines: list[Line], label: str) -> list[Finding]:
    findings = []
    doc_origin = doc.get("countryOfOrigin") if doc.get("documentType") == "CERTIFICATE_OF_ORIGIN" else None
    by_hs: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        h = hs6(line.hs)
        if h is not None and line.origin:
            by_hs[h].add(str(line.origin))
    for line in declared:
        h = hs6(line.hs)
        if not line.origin or h is None:
            continue
        stated = by_hs.get(h, set())
        if stated and line.origin not in stated:
            findings.append(
                Finding(
                    "yellow",
                    f"{line.path}.Origin.CountryCode",
                    f"declared origin {line.origin} for heading {h}; the {label} states {', '.join(sorted(stated))}",
                )
            )
        elif not stated and doc_origin and line.origin != doc_origin:
            findings.append(
                Finding(
                    "yellow",
                    f"{line.path}.Origin.CountryCode",
                    f"declared origin {line.origin}; the {label} certifies origin {doc_origin}",
                )
            )
    return findings


def _check_invoice(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    findings = []
    number, total, currency = decl_invoice(declaration)
    for doc in docs:
        found = doc_invoice_number(doc)
        if found and number and found[1] and str(found[1]).strip() != str(number).strip():
            findings.append(
                Finding(
                    "yellow",
                    "Declaration.GoodsShipment.Invoice.ID",
                    f"{number!r} does not match {_label(doc)} {found[0]} {found[1]!r}",
                )
            )
        if doc.get("documentType") == "COMMERCIAL_INVOICE":
            doc_total = _dec(_get(doc, "totalAmount", "value"))
            doc_cur = _get(doc, "totalAmount", "currencyID")
            if currency and doc_cur and currency != doc_cur:
                findings.append(
                    Finding(
                        "yellow",
                        "Declaration.InvoiceAmount.currencyID",
                        f"declared {currency}; the {_label(doc)} is in {doc_cur}",
                    )
                )
            elif total is not None and doc_total is not None and total != doc_total:
                findings.append(
                    Finding(
                        "yellow",
                        "Declaration.InvoiceAmount.value",
                        f"declared {total} {currency}; the {_label(doc)} totals {doc_total} {doc_cur}",
                    )
                )
    return findings


def cross_check(declaration: dict[str, Any], documents: list[dict[str, Any]]) -> list[Finding]:
    """Compare a declaration with the (unwrapped, verified) data of its documents."""
    findings: list[Finding] = []
    kinds = {d.get("documentType") for d in documents}
    if "CERTIFICATE_OF_ORIGIN" not in kinds:
        findings.append(
            Finding("yellow", "Declaration.AdditionalDocument", "no certificate of origin is referenced")
        )
    if "COMMERCIAL_INVOICE" not in kinds:
        findings.append(
            Finding("yellow", "Declaration.AdditionalDocument", "no commercial invoice is referenced")
        )
    findings += _check_parties(declaration, documents)
    findings += _check_invoice(declaration, documents)
    findings += _check_goods(declaration, documents)
    return findings


def assess_documents(
    declaration: dict[str, Any],
    wrapped_documents: Sequence[Any],
    registry: IssuerRegistry,
    revocations: RevocationStore,
) -> list[Finding]:
    """Verify every document the declaration references (by targetHash) and cross-check the good
    ones. A referenced document that is missing or fails a check is yellow; one that is tampered
    with, carries a forged signature or is revoked is red."""
    findings: list[Finding] = []
    by_hash: dict[str, Any] = {}
    for doc in wrapped_documents:
        target = _get(doc, "signature", "targetHash")
        if isinstance(target, str):
            by_hash[target] = doc
    good: list[dict[str, Any]] = []
    refs = decl_document_refs(declaration)
    for i, (ref, _code) in enumerate(refs):
        path = f"Declaration.AdditionalDocument[{i}].ID"
        if not HEX64.match(ref):
            continue  # not an OpenAttestation reference (e.g. a licence number)
        doc = by_hash.get(ref)
        if doc is None:
            findings.append(Finding("yellow", path, f"referenced document {ref} was not provided"))
            continue
        verdict = verify_document(doc, registry, revocations)
        if not verdict.valid:
            failed = verdict.failed
            reason = "; ".join(f"{c.name}: {c.message}" for c in failed) or "not fully verified"
            findings.append(
                Finding(verdict.lane or "yellow", path, f"document {ref} failed verification: {reason}")
            )
            continue
        if isinstance(verdict.data, dict):
            good.append(verdict.data)
    if not any(HEX64.match(r) for r, _ in refs):
        findings.append(
            Finding("yellow", "Declaration.AdditionalDocument", "no verifiable document is referenced")
        )
    if good:
        findings += cross_check(declaration, good)
    return findings
