"""Trade documents in the node's service layer: verified and cross-checked during assessment,
carried with the pre-arrival data, revoked with notice to the peer node."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError

from corridor.documents import service
from corridor.documents.crosscheck import HEX64, Finding, assess_documents, decl_document_refs
from corridor.documents.events import DocumentRevoked
from corridor.documents.revocation import MESSAGE_TYPE as REVOCATION
from corridor.documents.revocation import RevocationRecord, accept_revocation
from corridor.service.commands import RevokeDocument
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import FieldError, Forbidden, InvalidInput
from corridor.shared.validation import field_errors


def referenced_documents(
    uow: UnitOfWork, declaration: dict[str, Any], provided: Any, now: datetime
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """The wrapped documents the declaration references (those provided, else those stored
    earlier), stored for the record, and the findings of verifying and cross-checking them."""
    refs = decl_document_refs(declaration)
    hashes = [ref for ref, _ in refs if HEX64.match(ref)]
    if not isinstance(provided, list | tuple):
        raise InvalidInput([FieldError("documents", "must be a list of wrapped documents")])
    given: dict[str, dict[str, Any]] = {}
    for i, doc in enumerate(provided):
        signature = doc.get("signature") if isinstance(doc, dict) else None
        target = signature.get("targetHash") if isinstance(signature, dict) else None
        root = signature.get("merkleRoot") if isinstance(signature, dict) else None
        if not isinstance(target, str) or not HEX64.match(target) or not isinstance(root, str):
            raise InvalidInput(
                [
                    FieldError(
                        f"documents[{i}].signature", "a wrapped document has a targetHash and merkleRoot"
                    )
                ]
            )
        if target not in hashes:
            raise InvalidInput(
                [FieldError(f"documents[{i}]", f"{target} is not referenced by the declaration")]
            )
        given[target] = doc
    if not refs:
        return [], []
    stored = {
        d["signature"]["targetHash"]: d for d in uow.documents.get_many([h for h in hashes if h not in given])
    }
    documents = [given.get(h) or stored[h] for h in hashes if h in given or h in stored]
    findings = assess_documents(declaration, documents, uow.issuers, uow.revocations)
    uow.documents.add_many(list(given.values()), now)
    return documents, findings


def revoke_document(cmd: RevokeDocument, uow: UnitOfWork, ctx: NodeContext) -> dict[str, Any]:
    if ctx.documents is None:
        raise Forbidden("this node has no document registry")
    with uow:  # the revocation and the message telling the peer commit together
        record = service.revoke(
            ctx.documents.context(uow),
            cmd.document,
            scope="batch" if cmd.batch else "document",
            reason=cmd.reason,
            issuer_id=cmd.issuer_id,
            now=ctx.clock(),
        )
        enqueue(
            uow,
            ctx.signer,
            recipient=ctx.peer,
            message_type=REVOCATION,
            body=record.to_json(),
            now=ctx.clock(),
        )
        uow.publish(DocumentRevoked(record.kind, record.hash, record.reason, ctx.clock()))
        uow.commit()
    return record.to_json()


def on_revocation(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    if ctx.documents is None:
        raise InvalidInput([FieldError("header.type", "this node keeps no document registry")])
    try:
        record = RevocationRecord.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput(field_errors(exc, "body")) from None
    try:
        fresh = accept_revocation(uow.revocations, uow.issuers, record)
    except Forbidden as exc:
        raise InvalidInput([FieldError("body.signature", str(exc))]) from None
    if fresh:
        uow.publish(DocumentRevoked(record.kind, record.hash, record.reason, ctx.clock()))
    return {"status": "accepted" if fresh else "known", "kind": record.kind, "hash": record.hash}
