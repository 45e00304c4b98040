"""HTTP routes for verifying and redacting documents; thin wrappers over ``corridor.documents.service``.
Issuing and revoking need the node (issuer keys, the peer to tell) and live in
``corridor.api.routes.documents``.

The app that mounts the router supplies the registry and revocations: it keeps in its state, under
``CONTEXT_FACTORY``, a function that opens a document context (for a node, one over a transaction
of its database). Not a dependency override: with any override in place, FastAPI analyses every
dependency of every request again, which cost each request of the node milliseconds. Errors are
JSON 4xx bodies ``{"error": ..., "errors": [{"path", "reason"}]}``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from corridor.api.answers import FieldProblem, InvalidFields, Refusal, UnreadableBody, answers
from corridor.documents import service
from corridor.shared.errors import Conflict, CorridorError, Forbidden, InvalidInput, NotFound
from corridor.shared.text import Text

router = APIRouter(prefix="/documents", tags=["documents"])


#: Where the app keeps the function that opens a document context.
CONTEXT_FACTORY = "document_context_factory"
ContextFactory = Callable[[], AbstractContextManager[service.DocumentContext]]


def document_context(request: Request) -> Iterator[service.DocumentContext]:
    """The document context of the app that mounts the router, open for the request."""
    factory: ContextFactory | None = getattr(request.app.state, CONTEXT_FACTORY, None)
    if factory is None:
        raise NotFound("this server keeps no document registry")
    with factory() as ctx:
        yield ctx


Ctx = Annotated[service.DocumentContext, Depends(document_context)]


class IssueRequest(BaseModel):
    issuer_id: Annotated[str, Text(200)] = Field(description="Registered issuer, e.g. did:corridor:in:fieo")
    documents: list[Any] = Field(min_length=1, description="Raw documents; wrapped as one batch")


class VerifyRequest(BaseModel):
    document: Any


class RedactRequest(BaseModel):
    document: Any
    fields: list[Annotated[str, Text(512)]] = Field(min_length=1, max_length=1000)


class RevokeRequest(BaseModel):
    document: Any
    reason: Annotated[str, Text(2000, multiline=True)]
    scope: Literal["document", "batch"] = "document"
    issuer_id: Annotated[str, Text(200)] | None = None


class CheckAnswer(BaseModel):
    name: str
    status: Literal["valid", "invalid", "skipped"]
    message: str
    errors: list[FieldProblem] | None = None


class VerdictAnswer(BaseModel):
    """Every check run on the document; valid only if all of them are."""

    valid: bool
    lane: Literal["yellow", "red"] | None = Field(description="None when valid")
    target_hash: str | None = Field(alias="targetHash")
    merkle_root: str | None = Field(alias="merkleRoot")
    issuers: list[str]
    document_type: str | None = Field(alias="documentType")
    checks: list[CheckAnswer]


# Errors of the document service: 400 for an unreadable body, or a refusal with no other code.
ERROR_ANSWERS = {
    **answers(404, 409, 422),
    400: {"model": UnreadableBody | Refusal, "description": "Unreadable body, or refused"},
}


def _error(e: CorridorError) -> JSONResponse:
    if isinstance(e, InvalidInput):
        return JSONResponse(
            status_code=422, content={"error": "invalid input", "errors": [x.to_json() for x in e.errors]}
        )
    status = (
        404
        if isinstance(e, NotFound)
        else 403
        if isinstance(e, Forbidden)
        else 409
        if isinstance(e, Conflict)
        else 400
    )
    return JSONResponse(status_code=status, content={"error": str(e)})


@router.post(
    "/verify",
    responses={
        **ERROR_ANSWERS,
        200: {"model": VerdictAnswer, "description": "The document is valid"},
        422: {"model": VerdictAnswer | InvalidFields, "description": "Not valid: the verdict, or bad input"},
    },
)
def verify(body: VerifyRequest, ctx: Ctx) -> Any:
    """200 with the verdict when the document is valid, 422 with the verdict when it is not."""
    try:
        verdict = service.verify(ctx, body.document)
    except CorridorError as e:
        return _error(e)
    return JSONResponse(status_code=200 if verdict.valid else 422, content=verdict.to_json())


@router.post("/redact", responses=ERROR_ANSWERS)
def redact(body: RedactRequest) -> Any:
    try:
        return service.redact(body.document, body.fields)
    except CorridorError as e:
        return _error(e)
