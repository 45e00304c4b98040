"""The error answers of the HTTP API, declared in its OpenAPI document: each route lists the status
codes it can give (``responses=answers(401, 403, ...)``) with the JSON body each one carries."""

from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel


class Refusal(BaseModel):
    """Why the request was refused, in one sentence."""

    error: str


class FieldProblem(BaseModel):
    path: str
    reason: str


class InvalidFields(BaseModel):
    """Field-level errors: each names the field (dots and ``[i]`` indexes) and the reason."""

    errors: list[FieldProblem]


class UnreadableBody(BaseModel):
    """The body could not be parsed (not JSON, or not UTF-8)."""

    detail: str


class EnvelopeRejection(BaseModel):
    """A peer's envelope was refused: the field at fault and the reason."""

    status: str
    field: str
    reason: str
    retryable: bool = False
    message_id: str | None = None
    errors: list[FieldProblem] | None = None


ANSWERS: dict[int, dict[str, Any]] = {
    400: {"model": UnreadableBody, "description": "The body is not readable JSON"},
    401: {
        "model": Refusal,
        "description": "No X-API-Key header, or an unknown or revoked key",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "ApiKey"}},
    },
    403: {"model": Refusal, "description": "The key's role or party may not do this"},
    404: {"model": Refusal, "description": "Not found (or not visible to this key's party)"},
    409: {"model": Refusal, "description": "Conflicts with the current state"},
    413: {"model": Refusal, "description": "The body is larger than the node accepts"},
    422: {"model": InvalidFields, "description": "Invalid input, field by field"},
}


def answers(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route that can answer these error status codes."""
    return {code: ANSWERS[code] for code in codes}


def declare_body_limit(router: APIRouter) -> APIRouter:
    """Every route of ``router`` that takes a body may answer 413 (the request gate enforces the
    limit)."""
    for route in router.routes:
        if isinstance(route, APIRoute) and "POST" in (route.methods or ()):
            route.responses.setdefault(413, ANSWERS[413])
    return router
