"""The goods: HS headings, quantities and values per heading, and origin, declaration against documents."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from corridor.documents.crosscheck.declaration_view import ITEMS, decl_lines
from corridor.documents.crosscheck.document_view import doc_lines, document_label
from corridor.documents.crosscheck.findings import Finding
from corridor.documents.crosscheck.json_access import Line


def hs6(code: str | None) -> str | None:
    if not code:
        return None
    digits = re.sub(r"\D", "", str(code))
    return digits[:6] if len(digits) >= 6 else None


def _sum_by(lines: Iterable[Line], attr: str, unit_attr: str) -> dict[tuple[str, str | None], Decimal]:
    sums: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for line in lines:
        h = hs6(line.hs)
        value = getattr(line, attr)
        if h is not None and value is not None:
            sums[(h, getattr(line, unit_attr))] += value
    return dict(sums)


@dataclass(frozen=True, slots=True)
class _Declared:
    """The declaration's goods lines, with their headings and per-heading sums worked out once."""

    lines: list[Line]
    headings: set[str | None]
    quantities: dict[tuple[str, str | None], Decimal]
    values: dict[tuple[str, str | None], Decimal]
    first_path: dict[str | None, str]  # the first goods item of each heading

    @classmethod
    def of(cls, lines: list[Line]) -> _Declared:
        return cls(
            lines=lines,
            headings={hs6(line.hs) for line in lines},
            quantities=_sum_by(lines, "quantity", "unit"),
            values=_sum_by(lines, "amount", "currency"),
            first_path={hs6(line.hs): line.path for line in reversed(lines)},
        )


def check_goods(declaration: dict[str, Any], docs: Sequence[dict[str, Any]]) -> list[Finding]:
    declared = _Declared.of(decl_lines(declaration))
    findings = [
        Finding("yellow", f"{line.path}.Commodity.Classification[0].ID", "missing or shorter than 6 digits")
        for line in declared.lines
        if hs6(line.hs) is None
    ]
    for doc in docs:
        lines = doc_lines(doc)
        if not lines:
            continue
        label = document_label(doc)
        doc_hs = {hs6(line.hs) for line in lines} - {None}
        findings += _headings_apart(declared, lines, doc_hs, label)
        findings += _sums_apart(declared, doc, lines, doc_hs, label)
        findings += _check_origin(declared.lines, doc, lines, label)
    return findings


def _headings_apart(
    declared: _Declared, lines: list[Line], doc_hs: set[str | None], label: str
) -> list[Finding]:
    """Declared headings missing from the document, and the document's headings not declared."""
    findings: list[Finding] = []
    for line in declared.lines:
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
        if h is not None and h not in declared.headings:
            findings.append(
                Finding(
                    "yellow", ITEMS, f"{label} {line.path}.hsCode {line.hs} (heading {h}) is not declared"
                )
            )
    return findings


def _sums_apart(
    declared: _Declared, doc: dict[str, Any], lines: list[Line], doc_hs: set[str | None], label: str
) -> list[Finding]:
    """Quantities per heading against the documents that state them; values against the invoice."""
    findings: list[Finding] = []
    if doc.get("documentType") in ("CERTIFICATE_OF_ORIGIN", "COMMERCIAL_INVOICE", "PACKING_LIST"):
        findings += _compare_sums(
            declared.quantities,
            _sum_by(lines, "quantity", "unit"),
            doc_hs,
            declared.first_path,
            ".GoodsMeasure.TariffQuantity",
            label,
        )
    if doc.get("documentType") == "COMMERCIAL_INVOICE":
        findings += _compare_sums(
            declared.values,
            _sum_by(lines, "amount", "currency"),
            doc_hs,
            declared.first_path,
            ".Commodity.InvoiceLine.ItemChargeAmount",
            label,
        )
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
