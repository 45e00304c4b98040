"""FastAPI entry point of one node (thin: authenticate, translate, call the bus)."""

from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from corridor import __version__
from corridor.api.views import view_for
from corridor.customs.schemas import DeclarationDocument
from corridor.customs.validation import validate_declaration
from corridor.documents import service as documents_service
from corridor.documents.api import IssueRequest, RevokeRequest, document_context
from corridor.documents.api import router as documents_router
from corridor.logistics.timeline import consignment_view
from corridor.messaging.keys import KeyringError
from corridor.node.bootstrap import Node
from corridor.service import commands
from corridor.service.auth import ROLES, Principal, Unauthorized, authenticate, create_api_key
from corridor.shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from corridor.shared.validation import path_of

PAGES = files("corridor.api").joinpath("pages")


class EnvelopeBatch(BaseModel):
    envelopes: list[str] = Field(
        min_length=1, max_length=1000, description="Envelopes as their canonical JSON text"
    )


def create_app(node: Node) -> FastAPI:
    app = FastAPI(
        title=f"Trade Corridor node {node.country}",
        version=__version__,
        description="Customs node of the India-Russia virtual trade corridor. Authenticate with X-API-Key.",
    )
    _errors(app)

    def principal(x_api_key: Annotated[str | None, Header()] = None) -> Principal:
        return authenticate(node.uow(), x_api_key)

    Caller = Annotated[Principal, Depends(principal)]

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

    @app.post("/v1/api-keys", status_code=201)
    def new_api_key(caller: Caller, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Administrator: create a key bound to a role and a party; the secret is shown once."""
        caller.require("admin")
        role, party = body.get("role"), body.get("party_id")
        errors = []
        if role not in ROLES:
            errors.append(FieldError("role", f"must be one of {', '.join(ROLES)}"))
        if not isinstance(party, str) or not party.strip():
            errors.append(
                FieldError("party_id", "required: the IEC/INN, officer id or peer country the key acts for")
            )
        if errors:
            raise InvalidInput(errors)
        label = str(body.get("label") or f"{role} {party}")
        secret = create_api_key(node.uow(), str(role), str(party), label, node.bus.ctx.clock())
        return {"role": role, "party_id": party, "label": label, "api_key": secret}

    @app.post("/v1/mandates", status_code=201)
    def grant_mandate(caller: Caller, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Administrator: record that an exporter lets a customs broker file its declarations."""
        caller.require("admin")
        result: dict[str, Any] = node.handle(
            commands.GrantMandate(str(body.get("broker_id") or ""), str(body.get("exporter_id") or ""))
        )
        return result

    @app.get("/v1/keys")
    def public_keys() -> dict[str, Any]:
        """This node's public signing keys, for peers' trust lists."""
        return node.keyring.export_public()

    @app.get("/v1/schema/declaration")
    def declaration_schema() -> dict[str, Any]:
        return DeclarationDocument.model_json_schema()

    @app.post("/v1/declarations/validate")
    def validate(caller: Caller, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        caller.require("trader", "officer")
        validate_declaration(document, node.bus.ctx.codes)
        return {"valid": True}

    @app.post("/v1/declarations", status_code=201)
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

    @app.get("/v1/declarations")
    def list_declarations(
        caller: Caller,
        status: str | None = None,
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

    @app.get("/v1/declarations/{declaration_id}")
    def get_declaration(caller: Caller, declaration_id: str) -> dict[str, Any]:
        declaration, _ = visible(caller, declaration_id)
        return view_for(caller.role, declaration)

    @app.get("/v1/declarations/{declaration_id}/timeline")
    def timeline(caller: Caller, declaration_id: str) -> dict[str, Any]:
        declaration, stages = visible(caller, declaration_id)
        return {
            "id": declaration.id,
            "status": declaration.status,
            "lane": declaration.lane,
            "timeline": [s.to_json() for s in stages],
        }

    @app.post("/v1/declarations/{declaration_id}/clear")
    def clear(
        caller: Caller, declaration_id: str, body: Annotated[dict[str, Any], Body()] | None = None
    ) -> dict[str, Any]:
        caller.require("officer")
        findings = str((body or {}).get("findings", ""))
        return view_for(
            caller.role, node.handle(commands.ClearDeclaration(declaration_id, caller.party_id, findings))
        )

    @app.post("/v1/declarations/{declaration_id}/hold")
    def hold(caller: Caller, declaration_id: str, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        caller.require("officer")
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidInput([FieldError("reason", "required: why the goods are held")])
        return view_for(
            caller.role, node.handle(commands.HoldDeclaration(declaration_id, caller.party_id, reason))
        )

    @app.post("/v1/declarations/{declaration_id}/release")
    def release(caller: Caller, declaration_id: str) -> dict[str, Any]:
        caller.require("officer")
        return view_for(
            caller.role, node.handle(commands.ReleaseDeclaration(declaration_id, caller.party_id))
        )

    @app.post("/v1/declarations/{declaration_id}/payments")
    def pay(caller: Caller, declaration_id: str, body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """Pay the assessed duties and taxes: ``{"amounts": [{"value", "currencyID"}], "reference"}``."""
        caller.require("trader")
        visible(caller, declaration_id)
        command = commands.PayDuties(
            declaration_id, caller.party_id, body.get("amounts"), str(body.get("reference", ""))
        )
        return view_for(caller.role, node.handle(command))

    @app.get("/v1/queue")
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

    @app.post("/v1/events", status_code=202)
    def post_events(caller: Caller, document: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        """A carrier's EPCIS 2.0 document of logistics events (ObjectEvents)."""
        caller.require("carrier")
        result: dict[str, Any] = node.handle(commands.PostEvents(document, caller.party_id))
        return result

    @app.get("/v1/consignments/{ref}/timeline")
    def consignment_timeline(caller: Caller, ref: str) -> dict[str, Any]:
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
        app.include_router(shared, prefix="/v1", dependencies=[Depends(document_user)])
        app.dependency_overrides[document_context] = lambda: documents_ctx

        @app.post("/v1/documents/issue", tags=["documents"])
        def issue_documents(caller: Caller, body: IssueRequest) -> dict[str, Any]:
            """An issuing body registered at this node wraps and signs a batch of documents."""
            caller.require("issuer")
            if body.issuer_id != caller.party_id:
                raise Forbidden(f"issuer_id: this key acts for {caller.party_id}, not {body.issuer_id}")
            wrapped = documents_service.issue_documents(documents_ctx, body.documents, body.issuer_id)
            return {"merkleRoot": wrapped[0]["signature"]["merkleRoot"], "documents": wrapped}

        @app.post("/v1/documents/revoke", tags=["documents"])
        def revoke_document(caller: Caller, body: RevokeRequest) -> dict[str, Any]:
            """Revoke a document or its batch; the peer node is told by a signed message."""
            caller.require("issuer")
            command = commands.RevokeDocument(
                body.document, body.reason, body.scope == "batch", caller.party_id
            )
            result: dict[str, Any] = node.handle(command)
            return result

    @app.post("/v1/envelopes/batch")
    def envelopes_batch(caller: Caller, body: EnvelopeBatch) -> dict[str, Any]:
        """Several envelopes from a peer's relay pass, applied in one transaction; one outcome each."""
        caller.require("peer")
        return {"outcomes": node.receive_many(list(body.envelopes), from_party=caller.party_id)}

    @app.post("/v1/envelopes", status_code=202)
    async def envelopes(caller: Caller, request: Request) -> JSONResponse:
        """A signed envelope from a peer node (peers only)."""
        caller.require("peer")
        outcome = node.receive(await request.body(), from_party=caller.party_id)
        return JSONResponse(outcome, status_code=422 if outcome.get("status") == "rejected" else 202)

    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def invalid(_: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse({"errors": [e.to_json() for e in exc.errors]}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"path": path_of(list(e["loc"])), "reason": e["msg"]} for e in exc.errors()]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=401, headers={"WWW-Authenticate": "ApiKey"})

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
