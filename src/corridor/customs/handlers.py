"""Service-layer handlers for declarations at the origin and at the destination node."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.model import (
    EXPORT,
    GREEN,
    IMPORT,
    CustomsDeclaration,
    TransitionError,
)
from corridor.customs.validation import validate_declaration
from corridor.service.commands import ClearDeclaration, FileDeclaration, HoldDeclaration
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.customs.schemas import PartyType
from corridor.service.ports import CommitConflict, Trader, UnitOfWork
from corridor.shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound

PREARRIVAL = "customs.prearrival.v1"
ACKNOWLEDGEMENT = "customs.acknowledgement.v1"


def file_declaration(cmd: FileDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """Validate, register and assess an export declaration; a green one is cleared and its
    pre-arrival data leaves in the same transaction."""
    document = validate_declaration(cmd.document, ctx.codes)
    d = document.Declaration
    if d.TypeCode != "EX":
        raise InvalidInput([FieldError("Declaration.TypeCode", "this node accepts export declarations (EX)")])
    if ctx.country != d.GoodsShipment.ExportCountry.ID:
        raise InvalidInput(
            [
                FieldError(
                    "Declaration.GoodsShipment.ExportCountry.ID",
                    f"file it at the {d.GoodsShipment.ExportCountry.ID} node",
                )
            ]
        )
    if cmd.filed_by is not None and cmd.filed_by not in (
        d.Exporter.ID,
        d.Declarant.ID if d.Declarant else None,
    ):
        raise Forbidden("Declaration.Exporter.ID: a trader may file only its own declarations")
    now = ctx.clock()
    with uow:
        declaration = CustomsDeclaration(
            id=ctx.new_id(),
            node=ctx.country,
            flow=EXPORT,
            lrn=d.FunctionalReferenceID,
            trader_id=d.Exporter.ID,
            exporter_id=d.Exporter.ID,
            importer_id=d.Importer.ID,
            document=document.model_dump(mode="json", exclude_none=True),
            created_at=now,
        )
        declaration.record("lodgement", d.IssueDateTime)
        declaration.record("registration", now)
        trader = _count_filing(uow, d.Exporter, ctx.country)
        risk = ctx.assessor.risk(d, EXPORT, trader, declaration.id, now)
        declaration.assign_lane(risk["lane"], risk, now)
        if declaration.lane == GREEN:
            _clear_export(declaration, uow, ctx, officer=None)
        else:
            declaration.send_to_officer(now)
        try:
            uow.declarations.add(declaration)
            uow.commit()
        except CommitConflict:
            raise Conflict(
                f"Declaration.FunctionalReferenceID: {d.FunctionalReferenceID!r} is already filed by {d.Exporter.ID}"
            ) from None
    return declaration


def _count_filing(uow: UnitOfWork, party: PartyType, country: str) -> Trader:
    """The trader as it was before this filing; its filing count goes up by one."""
    return uow.traders.record_filing(party.ID, party.Name, country, party.AEOCertificateID is not None)


def _clear_export(
    declaration: CustomsDeclaration, uow: UnitOfWork, ctx: NodeContext, officer: str | None
) -> None:
    now = ctx.clock()
    declaration.clear_for_export(now, officer)
    body = {
        "export_declaration_id": declaration.id,
        "lane_at_origin": declaration.lane,
        "export_cleared_at": now.isoformat(),
        "declaration": declaration.document,
    }
    message_id = enqueue(uow, ctx.signer, recipient=ctx.peer, message_type=PREARRIVAL, body=body, now=now)
    declaration.record("prearrival_sent", now, message_id=message_id)


def clear_declaration(cmd: ClearDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    with uow:
        declaration = _get(uow, cmd.declaration_id)
        now = ctx.clock()
        declaration.record(
            "examination", now, result="cleared", officer=cmd.officer_id, findings=cmd.findings
        )
        try:
            if declaration.flow == EXPORT:
                _clear_export(declaration, uow, ctx, officer=cmd.officer_id)
            else:
                declaration.clear_import(now, cmd.officer_id)
        except TransitionError as exc:
            raise Conflict(f"status: {exc}") from exc
        uow.declarations.save(declaration)
        uow.commit()
    return declaration


def hold_declaration(cmd: HoldDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    with uow:
        declaration = _get(uow, cmd.declaration_id)
        try:
            declaration.hold(ctx.clock(), cmd.reason, cmd.officer_id)
        except TransitionError as exc:
            raise Conflict(f"status: {exc}") from exc
        uow.declarations.save(declaration)
        uow.commit()
    return declaration


def _get(uow: UnitOfWork, declaration_id: str) -> CustomsDeclaration:
    declaration = uow.declarations.get(declaration_id)
    if declaration is None:
        raise NotFound(f"declaration {declaration_id} not found")
    return declaration


def on_prearrival(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Destination: build the import declaration from the export data, assess it, acknowledge."""
    export_id = body.get("export_declaration_id")
    if not isinstance(export_id, str) or not export_id:
        raise InvalidInput([FieldError("body.export_declaration_id", "missing or not a string")])
    raw = body.get("declaration")
    if not isinstance(raw, dict) or not isinstance(raw.get("Declaration"), dict):
        raise InvalidInput([FieldError("body.declaration", "missing or not a declaration document")])
    now = ctx.clock()
    imported = {"Declaration": {**raw["Declaration"], "TypeCode": "IM"}}
    unloading = (
        raw["Declaration"].get("GoodsShipment", {}).get("Consignment", {}).get("UnloadingLocation", {})
    )
    if isinstance(unloading, dict) and isinstance(unloading.get("ID"), str):
        imported["Declaration"]["DeclarationOfficeID"] = unloading["ID"]
    try:
        document = validate_declaration(imported, ctx.codes)
    except InvalidInput as exc:
        ack = _ack(export_id, "rejected", reasons=[e.to_json() for e in exc.errors])
        enqueue(uow, ctx.signer, recipient=header["sender"], message_type=ACKNOWLEDGEMENT, body=ack, now=now)
        return {"status": "rejected", "reasons": ack["reasons"]}
    d = document.Declaration
    declaration = CustomsDeclaration(
        id=ctx.new_id(),
        node=ctx.country,
        flow=IMPORT,
        lrn=export_id,
        trader_id=d.Importer.ID,
        exporter_id=d.Exporter.ID,
        importer_id=d.Importer.ID,
        document=document.model_dump(mode="json", exclude_none=True),
        peer_id=export_id,
        created_at=now,
    )
    declaration.record("prearrival_received", now, message_id=header["message_id"])
    declaration.record("registration", now)
    trader = _count_filing(uow, d.Importer, ctx.country)
    risk = ctx.assessor.risk(d, IMPORT, trader, declaration.id, now)
    declaration.assign_lane(risk["lane"], risk, now)
    assessment = ctx.assessor.duties(d, now)
    declaration.pre_assess(assessment, now)
    uow.declarations.add(declaration)
    ack = _ack(
        export_id,
        "accepted",
        import_declaration_id=declaration.id,
        lane=declaration.lane,
        duties=assessment.get("totals", {}),
    )
    enqueue(uow, ctx.signer, recipient=header["sender"], message_type=ACKNOWLEDGEMENT, body=ack, now=now)
    return {"status": "accepted", "import_declaration_id": declaration.id, "lane": declaration.lane}


def _ack(export_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"export_declaration_id": export_id, "status": status, "reasons": [], **extra}


def on_acknowledgement(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Origin: store the destination's answer on the export declaration."""
    export_id = body.get("export_declaration_id")
    status = body.get("status")
    if not isinstance(export_id, str) or status not in ("accepted", "rejected"):
        raise InvalidInput(
            [
                FieldError("body.export_declaration_id", "missing")
                if not isinstance(export_id, str)
                else FieldError("body.status", "must be accepted or rejected")
            ]
        )
    declaration = uow.declarations.get(export_id)
    if declaration is None:
        raise InvalidInput(
            [FieldError("body.export_declaration_id", f"no export declaration {export_id} here")]
        )
    declaration.store_ack({**body, "message_id": header["message_id"]}, ctx.clock())
    uow.declarations.save(declaration)
    return {"status": "stored", "export_declaration_id": export_id}
