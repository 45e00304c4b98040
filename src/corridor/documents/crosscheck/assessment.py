"""Assessing a declaration's documents: verify each one referenced, then cross-check the good ones."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from corridor.documents.crosscheck.declaration_view import decl_document_refs
from corridor.documents.crosscheck.findings import Finding
from corridor.documents.crosscheck.goods import check_goods
from corridor.documents.crosscheck.invoice import check_invoice
from corridor.documents.crosscheck.json_access import get_in
from corridor.documents.crosscheck.parties import check_parties
from corridor.documents.issuers import IssuerRegistry
from corridor.documents.revocation import RevocationStore
from corridor.documents.verify import verify_document

HEX64 = re.compile(r"^[0-9a-f]{64}$")


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
    findings += check_parties(declaration, documents)
    findings += check_invoice(declaration, documents)
    findings += check_goods(declaration, documents)
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
        target = get_in(doc, "signature", "targetHash")
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
