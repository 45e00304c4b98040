"""Declarations: validate, file, read, the officer's decisions, duty payment and the officer's queue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from corridor.api import bodies
from corridor.api.answers import answers
from corridor.api.deps import Grouped, Officer, ServingNode, Trader, TraderOrOfficer
from corridor.api.errors import refusal_item
from corridor.customs import queries
from corridor.customs.validation import validate_declaration
from corridor.customs.views import bulk_filing_view, view_for
from corridor.service import commands
from corridor.service.auth import Principal
from corridor.shared.text import Text

router = APIRouter()

Limit = Annotated[int, Query(ge=1, le=500)]


@router.post("/v1/declarations/validate", responses=answers(400, 401, 403, 422))
def validate(
    caller: TraderOrOfficer, node: ServingNode, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    validate_declaration(document, node.bus.ctx.codes)
    return {"valid": True}


@router.post("/v1/declarations", status_code=201, responses=answers(400, 401, 403, 404, 409, 422))
def file(
    caller: TraderOrOfficer, grouped: Grouped, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """The WCO declaration; wrapped trade documents it references by targetHash may come along
    in a top-level ``documents`` list. Filings (and officers' decisions and duty payments) that
    arrive together are committed together (group commit); each is answered as if alone."""
    return view_for(caller.role, grouped.submit(_filing(caller, document)))


@router.post("/v1/declarations/bulk", responses=answers(400, 401, 403, 422))
def file_in_bulk(caller: TraderOrOfficer, node: ServingNode, body: bodies.BulkFiling) -> dict[str, Any]:
    """Up to 100 declarations filed in one transaction (one commit for all): each is answered in
    ``results``, in order, as ``POST /v1/declarations`` would answer it alone (``status`` 201 with
    the declaration, or its error status with ``errors`` or ``error``); a refused one leaves the
    others filed."""
    filed = [_filing(caller, dict(document)) for document in body.declarations]
    return bulk_filing_view(node.handle_many(filed), caller.role, refusal_item, {"status": 201})


def _filing(caller: Principal, document: dict[str, Any]) -> commands.FileDeclaration:
    attached = document.pop("documents", [])
    return commands.FileDeclaration(
        document,
        filed_by=caller.party_id if caller.role == "trader" else None,
        documents=tuple(attached) if isinstance(attached, list) else attached,
    )


@router.get("/v1/declarations", responses=answers(401, 403, 422))
def list_declarations(
    caller: TraderOrOfficer,
    node: ServingNode,
    status: Annotated[str, Text(20)] | None = None,
    lrn: Annotated[str, Text(70)] | None = None,
    limit: Limit = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """A page of declarations, newest first; ``lrn`` finds those filed under a local reference
    number (after a filing whose answer was lost: filing it again is refused with 409)."""
    items = queries.declarations(node.reading(), caller, status, limit, offset, lrn)
    return {"items": items, "limit": limit, "offset": offset}


@router.get("/v1/declarations/{declaration_id}", responses=answers(401, 403, 404, 422))
def get_declaration(
    caller: TraderOrOfficer, node: ServingNode, declaration_id: bodies.Reference
) -> dict[str, Any]:
    return queries.declaration(node.reading(), caller, declaration_id)


@router.get("/v1/declarations/{declaration_id}/timeline", responses=answers(401, 403, 404, 422))
def timeline(caller: TraderOrOfficer, node: ServingNode, declaration_id: bodies.Reference) -> dict[str, Any]:
    return queries.declaration_timeline(node.reading(), caller, declaration_id)


@router.post("/v1/declarations/{declaration_id}/clear", responses=answers(400, 401, 403, 404, 409, 422))
def clear(
    caller: Officer,
    grouped: Grouped,
    declaration_id: bodies.Reference,
    body: bodies.Clearance | None = None,
) -> dict[str, Any]:
    findings = body.findings if body is not None else ""
    command = commands.ClearDeclaration(declaration_id, caller.party_id, findings)
    return view_for(caller.role, grouped.submit(command))


@router.post("/v1/declarations/{declaration_id}/hold", responses=answers(400, 401, 403, 404, 409, 422))
def hold(
    caller: Officer, grouped: Grouped, declaration_id: bodies.Reference, body: bodies.Hold
) -> dict[str, Any]:
    command = commands.HoldDeclaration(declaration_id, caller.party_id, body.reason)
    return view_for(caller.role, grouped.submit(command))


@router.post("/v1/declarations/{declaration_id}/release", responses=answers(400, 401, 403, 404, 409, 422))
def release(
    caller: Officer, grouped: Grouped, declaration_id: bodies.Reference, body: bodies.Release
) -> dict[str, Any]:
    """Release an import (arrived, examined conform, duties paid): ``{"reason": "..."}``."""
    command = commands.ReleaseDeclaration(declaration_id, caller.party_id, body.reason)
    return view_for(caller.role, grouped.submit(command))


@router.post("/v1/declarations/{declaration_id}/payments", responses=answers(400, 401, 403, 404, 409, 422))
def pay(
    caller: Trader,
    node: ServingNode,
    grouped: Grouped,
    declaration_id: bodies.Reference,
    body: bodies.Payment,
) -> dict[str, Any]:
    """Pay the assessed duties and taxes: ``{"amounts": [{"value", "currencyID"}], "reference"}``."""
    queries.seen(node.reading(), caller, declaration_id)
    command = commands.PayDuties(declaration_id, caller.party_id, body.amounts, body.reference)
    return view_for(caller.role, grouped.submit(command))


@router.get("/v1/queue", responses=answers(401, 403, 422))
def officer_queue(caller: Officer, node: ServingNode, limit: Limit = 100) -> dict[str, Any]:
    """Declarations waiting for an officer (yellow and red lanes), oldest first."""
    return {"items": [entry.to_json() for entry in queries.officer_queue(node.reading(), limit)]}
