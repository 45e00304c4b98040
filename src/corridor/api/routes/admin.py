"""Administrator's routes: API keys and brokers' mandates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from corridor.api import bodies
from corridor.api.answers import answers
from corridor.api.deps import Admin, ServingNode
from corridor.service import commands
from corridor.service.auth import api_keys, create_api_key, revoke_api_key

router = APIRouter()


@router.post("/v1/api-keys", status_code=201, responses=answers(400, 401, 403, 422))
def new_api_key(caller: Admin, node: ServingNode, body: bodies.NewApiKey) -> dict[str, Any]:
    """Administrator: create a key bound to a role and a party; the secret is shown once."""
    label = body.label or f"{body.role} {body.party_id}"
    secret = create_api_key(node.uow(), body.role, body.party_id, label, node.bus.ctx.clock())
    return {"role": body.role, "party_id": body.party_id, "label": label, "api_key": secret}


@router.get("/v1/api-keys", responses=answers(401, 403))
def list_api_keys(caller: Admin, node: ServingNode) -> dict[str, Any]:
    """Administrator: every key the node issued, oldest first; their secrets are never shown."""
    return {"items": [k.described() for k in api_keys(node.reading())]}


@router.post("/v1/api-keys/{key_id}/revoke", responses=answers(401, 403, 404, 422))
def revoke_key(caller: Admin, node: ServingNode, key_id: bodies.Reference) -> dict[str, Any]:
    """Administrator: revoke a key; it is refused within CORRIDOR_API_KEY_CACHE_S seconds at every
    API process (at once with 0). Not the key of this request."""
    return revoke_api_key(node.uow(), key_id, caller).described()


@router.post("/v1/mandates", status_code=201, responses=answers(400, 401, 403, 422))
def grant_mandate(caller: Admin, node: ServingNode, body: bodies.NewMandate) -> dict[str, Any]:
    """Administrator: record that an exporter lets a customs broker file its declarations."""
    result: dict[str, Any] = node.handle(commands.GrantMandate(body.broker_id, body.exporter_id))
    return result
