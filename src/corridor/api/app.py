"""FastAPI entry point of one node (thin: authenticate, translate, call the bus)."""

from collections.abc import Iterator, Sequence
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from corridor import __version__
from corridor.api import bodies
from corridor.api.answers import EnvelopeRejection, answers, declare_body_limit
from corridor.api.gate import PRINCIPAL, RequestGate, unauthorized
from corridor.api.views import view_for
from corridor.config import DEFAULT_MAX_BODY_BYTES
from corridor.customs.schemas import DeclarationDocument
from corridor.customs.validation import validate_declaration
from corridor.documents.api import IssueRequest, RevokeRequest, document_context
from corridor.documents.api import router as documents_router
from corridor.documents.service import DocumentContext
from corridor.logistics.timeline import consignment_view
from corridor.messaging.keys import KeyringError
from corridor.messaging.transport import answer_status
from corridor.node.bootstrap import Node
from corridor.service import commands
from corridor.service.auth import Principal, Unauthorized, authenticate, create_api_key
from corridor.shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from corridor.shared.jsondata import json_problem
from corridor.shared.text import Text
from corridor.shared.validation import path_of

PAGES = files("corridor.api").joinpath("pages")


class EnvelopeBatch(BaseModel):
    envelopes: list[str] = Field(
        min_length=1, max_length=1000, description="Envelopes as their canonical JSON text"
    )


# Routes anyone may call; every other path needs an API key before its body is read.
PUBLIC_PATHS = ("/", "/v1/health", "/v1/keys", "/v1/schema/declaration")


def create_app(node: Node, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> FastAPI:
    app = FastAPI(
        title=f"Trade Corridor node {node.country}",
        version=__version__,
        description="Customs node of the India-Russia virtual trade corridor. Authenticate with X-API-Key.",
    )
    _errors(app)
    docs = (app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url)
    app.add_middleware(
        RequestGate,
        authenticate=lambda secret: authenticate(node.uow(), secret),
        public_paths=[*PUBLIC_PATHS, *(path for path in docs if path)],
        max_body_bytes=max_body_bytes,
    )

    def principal(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> Principal:
        """The caller the gate authenticated by ``x_api_key`` (declared here for the OpenAPI
        description) before the body was read."""
        found = request.scope.get(PRINCIPAL)
        if not isinstance(found, Principal):
            raise Unauthorized("missing X-API-Key header")
        return found

    async def checked_caller(request: Request, who: Annotated[Principal, Depends(principal)]) -> Principal:
        """The authenticated caller, once its JSON body (if any) passed ``json_problem``: a lone
        surrogate, a NUL, a non-finite number or deep nesting anywhere is refused before any model
        reads the body."""
        await _sound_json(request)
        return who

    Caller = Annotated[Principal, Depends(checked_caller)]

    def acting_as(*roles: str) -> Any:
        """A caller in one of ``roles``, checked before the body is read."""

        def dependency(caller: Caller) -> Principal:
            caller.require(*roles)
            return caller

        return Depends(dependency)

    Admin = Annotated[Principal, acting_as("admin")]
    Officer = Annotated[Principal, acting_as("officer")]
    Trader = Annotated[Principal, acting_as("trader")]

    def document_user(caller: Caller) -> Principal:
        caller.require("trader", "officer", "issuer")
        return caller

    @app.get("/", include_in_schema=False)
    def officer_page() -> HTMLResponse:
        """The officer's queue: a page over this API (the key stays in the browser session)."""
        return HTMLResponse(PAGES.joinpath("officer.html").read_text("utf-8"))

    @app.get("/v1/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "node": node.country, "version": __version__}

    @app.post("/v1/api-keys", status_code=201, responses=answers(400, 401, 403, 422))
    def new_api_key(caller: Admin, body: bodies.NewApiKey) -> dict[str, Any]:
        """Administrator: create a key bound to a role and a party; the secret is shown once."""
        label = body.label or f"{body.role} {body.party_id}"
        secret = create_api_key(node.uow(), body.role, body.party_id, label, node.bus.ctx.clock())
        return {"role": body.role, "party_id": body.party_id, "label": label, "api_key": secret}

    @app.post("/v1/mandates", status_code=201, responses=answers(400, 401, 403, 422))
    def grant_mandate(caller: Admin, body: bodies.NewMandate) -> dict[str, Any]:
        """Administrator: record that an exporter lets a customs broker file its declarations."""
        result: dict[str, Any] = node.handle(commands.GrantMandate(body.broker_id, body.exporter_id))
        return result

    @app.get("/v1/keys")
    def public_keys() -> dict[str, Any]:
        """This node's public signing keys, for peers' trust lists."""
        return node.keyring.export_public()

    @app.get("/v1/schema/declaration")
    def declaration_schema() -> dict[str, Any]:
        return DeclarationDocument.model_json_schema()

    @app.post("/v1/declarations/validate", responses=answers(400, 401, 403, 422))
    def validate(caller: Caller, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        caller.require("trader", "officer")
        validate_declaration(document, node.bus.ctx.codes)
        return {"valid": True}

    @app.post("/v1/declarations", status_code=201, responses=answers(400, 401, 403, 404, 409, 422))
    def file(caller: Caller, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """The WCO declaration; wrapped trade documents it references by targetHash may come along
        in a top-level ``documents`` list."""
        caller.require("trader", "officer")
        filed_by = caller.party_id if caller.role == "trader" else None
        attached = document.pop("documents", [])
        command = commands.FileDeclaration(
            document, filed_by=filed_by, documents=tuple(attached) if isinstance(attached, list) else attached
        )
        return view_for(caller.role, node.handle(command))

    @app.get("/v1/declarations", responses=answers(401, 403, 422))
    def list_declarations(
        caller: Caller,
        status: Annotated[str, Text(20)] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        caller.require("trader", "officer")
        trader = caller.party_id if caller.role == "trader" else None
        with node.uow() as uow:
            found = uow.declarations.query(trader_id=trader, status=status, limit=limit, offset=offset)
        return {"items": [view_for(caller.role, d) for d in found], "limit": limit, "offset": offset}

    def visible(caller: Principal, declaration_id: str) -> Any:
        caller.require("trader", "officer")
        with node.uow() as uow:
            declaration = uow.declarations.get(declaration_id)
            stages = uow.declarations.stages(declaration_id) if declaration else []
        # A trader learns nothing about others' declarations, not even that they exist.
        if declaration is None or (
            caller.role == "trader"
            and caller.party_id
            not in (
                declaration.trader_id,
                declaration.exporter_id,
                declaration.importer_id,
                declaration.declarant_id,
            )
        ):
            raise NotFound(f"declaration {declaration_id} not found")
        return declaration, stages

    @app.get("/v1/declarations/{declaration_id}", responses=answers(401, 403, 404, 422))
    def get_declaration(caller: Caller, declaration_id: bodies.Reference) -> dict[str, Any]:
        declaration, _ = visible(caller, declaration_id)
        return view_for(caller.role, declaration)

    @app.get("/v1/declarations/{declaration_id}/timeline", responses=answers(401, 403, 404, 422))
    def timeline(caller: Caller, declaration_id: bodies.Reference) -> dict[str, Any]:
        declaration, stages = visible(caller, declaration_id)
        return {
            "id": declaration.id,
            "status": declaration.status,
            "lane": declaration.lane,
            "timeline": [s.to_json() for s in stages],
        }

    @app.post("/v1/declarations/{declaration_id}/clear", responses=answers(400, 401, 403, 404, 409, 422))
    def clear(
        caller: Officer, declaration_id: bodies.Reference, body: bodies.Clearance | None = None
    ) -> dict[str, Any]:
        findings = body.findings if body is not None else ""
        return view_for(
            caller.role, node.handle(commands.ClearDeclaration(declaration_id, caller.party_id, findings))
        )

    @app.post("/v1/declarations/{declaration_id}/hold", responses=answers(400, 401, 403, 404, 409, 422))
    def hold(caller: Officer, declaration_id: bodies.Reference, body: bodies.Hold) -> dict[str, Any]:
        return view_for(
            caller.role, node.handle(commands.HoldDeclaration(declaration_id, caller.party_id, body.reason))
        )

    @app.post("/v1/declarations/{declaration_id}/release", responses=answers(401, 403, 404, 409, 422))
    def release(caller: Caller, declaration_id: bodies.Reference) -> dict[str, Any]:
        caller.require("officer")
        return view_for(
            caller.role, node.handle(commands.ReleaseDeclaration(declaration_id, caller.party_id))
        )

    @app.post("/v1/declarations/{declaration_id}/payments", responses=answers(400, 401, 403, 404, 409, 422))
    def pay(caller: Trader, declaration_id: bodies.Reference, body: bodies.Payment) -> dict[str, Any]:
        """Pay the assessed duties and taxes: ``{"amounts": [{"value", "currencyID"}], "reference"}``."""
        visible(caller, declaration_id)
        command = commands.PayDuties(declaration_id, caller.party_id, body.amounts, body.reference)
        return view_for(caller.role, node.handle(command))

    @app.get("/v1/queue", responses=answers(401, 403, 422))
    def officer_queue(caller: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
        """Declarations waiting for an officer (yellow and red lanes), oldest first."""
        caller.require("officer")
        with node.uow() as uow:
            waiting = uow.declarations.query(status="under_control", limit=limit)
            items = []
            for d in sorted(waiting, key=lambda d: d.created_at or 0):
                queued = [s for s in uow.declarations.stages(d.id) if s.name == "queued"]
                items.append(
                    {
                        "id": d.id,
                        "flow": d.flow,
                        "lane": d.lane,
                        "risk": d.risk,
                        "due": queued[-1].detail.get("due") if queued else None,
                    }
                )
        return {"items": items}

    @app.post("/v1/events", status_code=202, responses=answers(400, 401, 403, 409, 422))
    def post_events(caller: Caller, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """A carrier's EPCIS 2.0 document of logistics events (ObjectEvents)."""
        caller.require("carrier")
        result: dict[str, Any] = node.handle(commands.PostEvents(document, caller.party_id))
        return result

    @app.get("/v1/consignments/{ref}/timeline", responses=answers(401, 403, 404, 422))
    def consignment_timeline(caller: Caller, ref: bodies.Reference) -> dict[str, Any]:
        """Customs stages at this node and the consignment's logistics events, in time order."""
        caller.require("trader", "officer")
        with node.uow() as uow:
            declaration = uow.declarations.find_by_consignment(ref)
        if declaration is None:
            raise NotFound(f"consignment {ref} not found")
        try:
            _, stages = visible(caller, declaration.id)
        except NotFound:
            raise NotFound(f"consignment {ref} not found") from None
        with node.uow() as uow:
            events = uow.events.for_consignment(ref)
        return consignment_view(declaration, stages, events)

    documents_ctx = node.bus.ctx.documents
    if documents_ctx is not None:
        shared = APIRouter()
        shared.routes.extend(
            r
            for r in documents_router.routes
            if getattr(r, "path", "") in ("/documents/verify", "/documents/redact")
        )
        app.include_router(
            shared, prefix="/v1", dependencies=[Depends(document_user)], responses=answers(401, 403)
        )

        def node_document_context() -> Iterator[DocumentContext]:
            with documents_ctx.reading() as ctx:
                yield ctx

        app.dependency_overrides[document_context] = node_document_context

        @app.post("/v1/documents/issue", tags=["documents"], responses=answers(400, 401, 403, 404, 422))
        def issue_documents(caller: Caller, body: IssueRequest) -> dict[str, Any]:
            """An issuing body registered at this node wraps and signs a batch of documents."""
            caller.require("issuer")
            if body.issuer_id != caller.party_id:
                raise Forbidden(f"issuer_id: this key acts for {caller.party_id}, not {body.issuer_id}")
            wrapped = documents_ctx.issue(body.documents, body.issuer_id)
            return {"merkleRoot": wrapped[0]["signature"]["merkleRoot"], "documents": wrapped}

        @app.post("/v1/documents/revoke", tags=["documents"], responses=answers(400, 401, 403, 404, 409, 422))
        def revoke_document(caller: Caller, body: RevokeRequest) -> dict[str, Any]:
            """Revoke a document or its batch; the peer node is told by a signed message."""
            caller.require("issuer")
            command = commands.RevokeDocument(
                body.document, body.reason, body.scope == "batch", caller.party_id
            )
            result: dict[str, Any] = node.handle(command)
            return result

    @app.post("/v1/envelopes/batch", responses=answers(400, 401, 403, 422))
    def envelopes_batch(caller: Caller, body: EnvelopeBatch) -> dict[str, Any]:
        """Several envelopes from a peer's relay pass, applied in one transaction; one outcome each."""
        caller.require("peer")
        return {"outcomes": node.receive_many(list(body.envelopes), from_party=caller.party_id)}

    @app.post(
        "/v1/envelopes",
        status_code=202,
        responses={
            **answers(401, 403),
            409: {"model": EnvelopeRejection, "description": "Envelope refused for now: send it again later"},
            422: {"model": EnvelopeRejection, "description": "Envelope refused for good"},
        },
    )
    async def envelopes(caller: Annotated[Principal, Depends(principal)], request: Request) -> JSONResponse:
        """A signed envelope from a peer node (peers only). A refusal answers 409 when the sender
        should try again later (``retryable``: a key not imported yet, clocks apart), else 422."""
        caller.require("peer")
        outcome = node.receive(await request.body(), from_party=caller.party_id)
        return JSONResponse(outcome, status_code=answer_status(outcome))

    declare_body_limit(app)
    return app


async def _sound_json(request: Request) -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not await request.body():
        return
    try:
        value = await request.json()
    except Exception:  # not JSON: the endpoint's own parsing answers (or reads raw bytes)
        return
    problem = json_problem(value)
    if problem is not None:
        raise InvalidInput([problem])


def _errors(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse({"errors": [e.to_json() for e in exc.errors]}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"path": _request_path(e["loc"]), "reason": e["msg"]} for e in exc.errors()]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(Unauthorized)
    async def not_authenticated(_: Request, exc: Unauthorized) -> JSONResponse:
        return unauthorized(str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=403)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=404)

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Conflict) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=409)

    @app.exception_handler(KeyringError)
    async def cannot_sign(_: Request, exc: KeyringError) -> JSONResponse:
        """The node has no usable signing key just now (revoked, or its private key missing)."""
        return JSONResponse({"error": str(exc)}, status_code=503)


def _request_path(loc: Sequence[int | str]) -> str:
    """A body member is named as in the body (``role``); a query or header parameter keeps its
    place (``query.limit``)."""
    return path_of(list(loc[1:]) if loc and loc[0] == "body" and len(loc) > 1 else list(loc))
