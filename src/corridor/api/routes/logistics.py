"""Logistics: a carrier's EPCIS events and a consignment's timeline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from corridor.api import bodies
from corridor.api.answers import answers
from corridor.api.deps import Carrier, Grouped, ServingNode, TraderOrOfficer
from corridor.customs import queries
from corridor.service import commands

router = APIRouter()


@router.post("/v1/events", status_code=202, responses=answers(400, 401, 403, 409, 422))
def post_events(
    caller: Carrier, grouped: Grouped, document: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """A carrier's EPCIS 2.0 document of logistics events (ObjectEvents). Documents that arrive
    together are committed together with the node's other requests (group commit)."""
    result: dict[str, Any] = grouped.submit(commands.PostEvents(document, caller.party_id))
    return result


@router.get("/v1/consignments/{ref}/timeline", responses=answers(401, 403, 404, 422))
def consignment_timeline(caller: TraderOrOfficer, node: ServingNode, ref: bodies.Reference) -> dict[str, Any]:
    """Customs stages at this node and the consignment's logistics events, in time order."""
    return queries.consignment_timeline(node.reading(), caller, ref)
