"""Envelopes from the peer node: one at a time, or several from a relay pass."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from corridor.api.answers import EnvelopeRejection, answers
from corridor.api.deps import Peer, RawPeer, ServingNode
from corridor.messaging.transport import answer_status

router = APIRouter()


class EnvelopeBatch(BaseModel):
    envelopes: list[str] = Field(
        min_length=1, max_length=1000, description="Envelopes as their canonical JSON text"
    )


@router.post("/v1/envelopes/batch", responses=answers(400, 401, 403, 422))
def envelopes_batch(caller: Peer, node: ServingNode, body: EnvelopeBatch) -> dict[str, Any]:
    """Several envelopes from a peer's relay pass, applied in one transaction; one outcome each."""
    return {"outcomes": node.receive_many(list(body.envelopes), from_party=caller.party_id)}


@router.post(
    "/v1/envelopes",
    status_code=202,
    responses={
        **answers(401, 403),
        409: {"model": EnvelopeRejection, "description": "Envelope refused for now: send it again later"},
        422: {"model": EnvelopeRejection, "description": "Envelope refused for good"},
    },
)
async def envelopes(caller: RawPeer, node: ServingNode, request: Request) -> JSONResponse:
    """A signed envelope from a peer node (peers only). A refusal answers 409 when the sender
    should try again later (``retryable``: a key not imported yet, clocks apart), else 422."""
    outcome = node.receive(await request.body(), from_party=caller.party_id)
    return JSONResponse(outcome, status_code=answer_status(outcome))
