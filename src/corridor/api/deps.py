"""The routes' dependencies: the node serving the request, the caller the request gate
authenticated, the caller's role, and the soundness of a JSON body before any model reads it.

They read only what the request already holds, so they are coroutines: FastAPI runs a plain
function dependency in its thread pool, a hop that cost more than the dependency itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from corridor.api.gate import PRINCIPAL
from corridor.documents.registry import NodeDocuments
from corridor.node.bootstrap import Node
from corridor.service.auth import Principal, Unauthorized
from corridor.service.group_commit import GroupCommit
from corridor.shared.errors import InvalidInput, NotFound
from corridor.shared.jsondata import json_problem, plainly_sound


async def serving_node(request: Request) -> Node:
    """The node this app serves (``create_app`` keeps it in the app's state)."""
    node: Node = request.app.state.node
    return node


ServingNode = Annotated[Node, Depends(serving_node)]


async def group_commit(request: Request) -> GroupCommit:
    """The commands of this API process's concurrent requests (filings, officers' decisions, duty
    payments, carriers' events), committed together."""
    grouped: GroupCommit = request.app.state.group_commit
    return grouped


Grouped = Annotated[GroupCommit, Depends(group_commit)]


async def node_documents(node: ServingNode) -> NodeDocuments:
    """The node's document registry and revocations (routes under /v1/documents)."""
    if node.bus.ctx.documents is None:
        raise NotFound("this node keeps no documents")
    return node.bus.ctx.documents


Registry = Annotated[NodeDocuments, Depends(node_documents)]


async def principal(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> Principal:
    """The caller the gate authenticated by ``x_api_key`` (declared here for the OpenAPI
    description) before the body was read."""
    return _authenticated(request)


def _authenticated(request: Request) -> Principal:
    found = request.scope.get(PRINCIPAL)
    if not isinstance(found, Principal):
        raise Unauthorized("missing X-API-Key header")
    return found


async def checked_caller(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> Principal:
    """The authenticated caller, once its JSON body (if any) passed ``json_problem``: a lone
    surrogate, a NUL, a non-finite number or deep nesting anywhere is refused before any model
    reads the body."""
    who = _authenticated(request)
    await _sound_json(request)
    return who


Caller = Annotated[Principal, Depends(checked_caller)]


class Acting:
    """A caller in one of ``roles``, checked before the body is read (403 otherwise). One
    dependency, not one built on another: each costs FastAPI work at every request."""

    def __init__(self, *roles: str) -> None:
        self.roles = roles

    async def __call__(
        self, request: Request, x_api_key: Annotated[str | None, Header()] = None
    ) -> Principal:
        caller = await checked_caller(request, x_api_key)
        caller.require(*self.roles)
        return caller


Admin = Annotated[Principal, Depends(Acting("admin"))]
Officer = Annotated[Principal, Depends(Acting("officer"))]
Trader = Annotated[Principal, Depends(Acting("trader"))]
Carrier = Annotated[Principal, Depends(Acting("carrier"))]
Issuer = Annotated[Principal, Depends(Acting("issuer"))]
TraderOrOfficer = Annotated[Principal, Depends(Acting("trader", "officer"))]
Peer = Annotated[Principal, Depends(Acting("peer"))]
DocumentUser = Acting("trader", "officer", "issuer")


async def raw_peer(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    """A peer node, for a route that reads its raw body itself (the body is not parsed here)."""
    caller.require("peer")
    return caller


RawPeer = Annotated[Principal, Depends(raw_peer)]


async def _sound_json(request: Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    body = await request.body()
    if not body or plainly_sound(body):
        return
    try:
        value = await request.json()
    except Exception:  # not JSON: the endpoint's own parsing answers (or reads raw bytes)
        return
    problem = json_problem(value)
    if problem is not None:
        raise InvalidInput([problem])
