"""Trade documents: issuing and revoking (issuers registered at this node); verifying and redacting
come from ``corridor.api.documents_router`` over the node's registry and revocation store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI

from corridor.api.answers import answers, declare_body_limit
from corridor.api.deps import DocumentUser, Issuer, Registry, ServingNode
from corridor.api.documents_router import CONTEXT_FACTORY, IssueRequest, RevokeRequest
from corridor.api.documents_router import router as shared_router
from corridor.service import commands
from corridor.shared.errors import Forbidden

router = APIRouter(tags=["documents"])


@router.post("/v1/documents/issue", responses=answers(400, 401, 403, 404, 422))
def issue_documents(caller: Issuer, registry: Registry, body: IssueRequest) -> dict[str, Any]:
    """An issuing body registered at this node wraps and signs a batch of documents."""
    if body.issuer_id != caller.party_id:
        raise Forbidden(f"issuer_id: this key acts for {caller.party_id}, not {body.issuer_id}")
    wrapped = registry.issue(body.documents, body.issuer_id)
    return {"merkleRoot": wrapped[0]["signature"]["merkleRoot"], "documents": wrapped}


@router.post("/v1/documents/revoke", responses=answers(400, 401, 403, 404, 409, 422))
def revoke_document(caller: Issuer, node: ServingNode, body: RevokeRequest) -> dict[str, Any]:
    """Revoke a document or its batch; the peer node is told by a signed message."""
    command = commands.RevokeDocument(body.document, body.reason, body.scope == "batch", caller.party_id)
    result: dict[str, Any] = node.handle(command)
    return result


def include(app: FastAPI) -> None:
    """Add the document routes to ``app``: verify and redact for document users, over this node's
    registry and revocation store; issue and revoke for issuers."""
    app.include_router(
        shared_router, prefix="/v1", dependencies=[Depends(DocumentUser)], responses=answers(401, 403)
    )
    registry = app.state.node.bus.ctx.documents
    setattr(app.state, CONTEXT_FACTORY, registry.reading)
    app.include_router(declare_body_limit(router))
