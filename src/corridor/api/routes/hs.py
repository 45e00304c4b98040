"""HS classification: suggested HS 2022 subheadings for a goods description, for traders filing
and officers checking (the node's classifier; 503 when its ``[hs]`` extra is not installed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from corridor.api.answers import Refusal, answers
from corridor.api.bodies import Body
from corridor.api.deps import ServingNode, TraderOrOfficer
from corridor.classification.domain import MAX_DESCRIPTION_CHARS, MAX_TOP, HsUnavailable
from corridor.shared.text import Text

router = APIRouter()
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Refusal, "description": "The node's HS classifier is not installed"}
}


class HsQuery(Body):
    description: Annotated[str, Text(MAX_DESCRIPTION_CHARS, multiline=True)] = Field(
        description="The goods description, in English"
    )
    top: int = Field(default=5, ge=1, le=MAX_TOP, description="How many subheadings to return")


@router.post("/v1/hs/suggest", responses={**answers(400, 401, 403, 422), **UNAVAILABLE})
def suggest_hs(caller: TraderOrOfficer, node: ServingNode, query: HsQuery) -> Any:
    """Ranked HS 2022 subheadings with their official texts, a score, the heading's confidence and
    why (matched terms, semantic similarity, nearest reference descriptions with their source: a
    ruling, or a written example that says it is none); ``confidence`` is low when no heading
    stands out."""
    try:
        result: dict[str, Any] = node.hs.suggest(query.description, query.top).to_json()
    except HsUnavailable as exc:
        return JSONResponse({"error": str(exc)}, status_code=503)
    return result
