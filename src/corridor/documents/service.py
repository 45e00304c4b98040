"""The operations the CLI and the API share: issue, verify, redact, revoke."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from corridor.documents.issuers import IssuerKeys, IssuerRegistry, now_utc
from corridor.documents.models import validate_raw_document
from corridor.documents.oa.errors import OAFormatError
from corridor.documents.oa.flatten import split_path
from corridor.documents.oa.obfuscate import obfuscate_document
from corridor.documents.oa.wrap import wrap_documents
from corridor.documents.revocation import RevocationRecord, RevocationStore, create_revocation
from corridor.documents.signature import sign_merkle_root
from corridor.documents.verify import Verdict, check_format, verify_document
from corridor.shared.errors import FieldError, Forbidden, InvalidInput, NotFound


class KeyedRegistry(IssuerRegistry, IssuerKeys, Protocol):
    """A registry that also holds the private keys of the issuers registered at this node."""


@dataclass
class DocumentContext:
    """What the document operations need from the node (``NodeDocuments.context`` makes one over
    a transaction of the node's database)."""

    registry: KeyedRegistry
    revocations: RevocationStore


def issue_documents(
    ctx: DocumentContext,
    documents: Sequence[Any],
    issuer_id: str,
    *,
    now: datetime | None = None,
    check_models: bool = True,
) -> list[dict[str, Any]]:
    """Wrap ``documents`` as one batch and sign its merkleRoot as ``issuer_id``.

    ``issuers`` is filled in from the registry; if a document already names issuers they must
    be exactly this issuer."""
    issuer = ctx.registry.get(issuer_id)
    if issuer is None:
        raise NotFound(f"issuer {issuer_id} is not registered at this node")
    if not issuer.active:
        raise Forbidden(f"issuer {issuer_id} is not active")
    key = ctx.registry.private_key(issuer_id)
    if not documents:
        raise InvalidInput([FieldError("documents", "give at least one document")])
    errors: list[FieldError] = []
    prepared = []
    for i, doc in enumerate(documents):
        root = f"documents[{i}]" if len(documents) > 1 else ""
        prefix = f"{root}." if root else ""
        if not isinstance(doc, dict):
            errors.append(FieldError(root or "document", "must be a JSON object"))
            continue
        given = doc.get("issuers")
        if given is not None and (
            not isinstance(given, list)
            or [g.get("id") if isinstance(g, dict) else None for g in given] != [issuer_id]
        ):
            errors.append(
                FieldError(f"{prefix}issuers", f"names another issuer; leave it out or use {issuer_id}")
            )
            continue
        doc = {**doc, "issuers": [issuer.oa_issuer()]}
        if check_models:
            try:
                validate_raw_document(doc, root)
            except InvalidInput as e:
                errors += e.errors
                continue
        prepared.append(doc)
    if errors:
        raise InvalidInput(errors)
    wrapped = wrap_documents(prepared)
    proof = sign_merkle_root(
        wrapped[0]["signature"]["merkleRoot"], key, issuer.verification_method, now or now_utc()
    )
    for doc in wrapped:
        doc["proof"] = [dict(proof)]
    return wrapped


def verify(ctx: DocumentContext, document: Any) -> Verdict:
    return verify_document(document, ctx.registry, ctx.revocations)


def redact(document: Any, fields: Sequence[str]) -> dict[str, Any]:
    """Hide ``fields``; the issuer's identity and the document type cannot be hidden."""
    errors = check_format(document)
    if errors:
        raise OAFormatError(errors)
    for path in fields:
        parts = split_path(path)
        if parts and parts[0] in ("issuers", "documentType"):
            raise InvalidInput([FieldError(path, f"{parts[0]} cannot be hidden: verification needs it")])
    return obfuscate_document(document, fields)


def revoke(
    ctx: DocumentContext,
    document: Any,
    *,
    scope: Literal["document", "batch"],
    reason: str,
    issuer_id: str | None = None,
    now: datetime | None = None,
) -> RevocationRecord:
    """Revoke a verified-intact document (or its whole batch) as its issuer, and store it.

    Return the signed record for the node to send to the peer node."""
    verdict = verify(ctx, document)
    intact = {c.name: c.status for c in verdict.checks}
    if not all(intact.get(n) == "valid" for n in ("format", "integrity.targetHash", "integrity.merkleProof")):
        raise InvalidInput([FieldError("document", "only an intact, well-formed document can be revoked")])
    if not verdict.issuers:
        raise InvalidInput([FieldError("data.issuers", "the document names no issuer")])
    issuer = issuer_id or verdict.issuers[0]
    if issuer not in verdict.issuers:
        raise Forbidden(f"{issuer} is not an issuer of this document")
    hash_hex = verdict.target_hash if scope == "document" else verdict.merkle_root
    if hash_hex is None:
        raise InvalidInput([FieldError("signature", "the document has no targetHash or merkleRoot")])
    record = create_revocation(
        ctx.registry, ctx.registry, issuer_id=issuer, kind=scope, hash_hex=hash_hex, reason=reason, now=now
    )
    ctx.revocations.add(record)
    return record
