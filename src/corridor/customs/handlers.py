"""Service-layer handlers for declarations at the origin and at the destination node."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from corridor.customs.domain.model import (
    EXPORT,
    GREEN,
    HOLD_NOTICE,
    IMPORT,
    PREARRIVAL_DATA,
    RELEASE_NOTICE,
    RELEASED,
    CustomsDeclaration,
    TransitionError,
)
from corridor.customs.legacy import is_legacy_declaration, upgrade_declaration
from corridor.customs.schemas import DeclarationType, PartyType
from corridor.customs.validation import validate_declaration
from corridor.documents.crosscheck import decl_document_refs
from corridor.documents.handlers import merge_lane, referenced_documents
from corridor.logistics.handlers import sync_release
from corridor.service.commands import (
    ClearDeclaration,
    FileDeclaration,
    GrantMandate,
    HoldDeclaration,
    PayDuties,
    ReleaseDeclaration,
)
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import CommitConflict, Trader, UnitOfWork
from corridor.shared.cbv import BizStep
from corridor.shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, NotYet
from corridor.shared.scalars import decimal_reason

PREARRIVAL = "customs.prearrival.v1"
ACKNOWLEDGEMENT = "customs.acknowledgement.v1"
EXPORT_HOLD = "customs.export_hold.v1"  # the export office stopped goods it had cleared
EXPORT_HOLD_LIFTED = "customs.export_hold_lifted.v1"  # ... and lifted that hold
NOTICE_TYPES = {HOLD_NOTICE: EXPORT_HOLD, RELEASE_NOTICE: EXPORT_HOLD_LIFTED}
# A notice that overtook its pre-arrival message is refused under this path and sent again later.
WAITING_FOR_PREARRIVAL = "body.prearrival_message_id"


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
    broker = cmd.filed_by if cmd.filed_by is not None and cmd.filed_by != d.Exporter.ID else None
    if broker is not None and (d.Declarant is None or broker != d.Declarant.ID):
        raise Forbidden(
            "Declaration.Exporter.ID: a trader files its own declarations, or as their Declarant "
            "under the exporter's mandate"
        )
    now = ctx.clock()
    with uow:
        if broker is not None and not uow.mandates.exists(broker, d.Exporter.ID):
            # naming oneself Declarant proves nothing: the exporter must have given a mandate
            raise Forbidden(
                f"Declaration.Declarant.ID: {broker} holds no mandate from exporter {d.Exporter.ID}"
            )
        declaration = CustomsDeclaration(
            id=ctx.new_id(),
            node=ctx.country,
            flow=EXPORT,
            lrn=d.FunctionalReferenceID,
            trader_id=d.Exporter.ID,
            exporter_id=d.Exporter.ID,
            importer_id=d.GoodsShipment.Importer.ID,
            document=document.model_dump(mode="json", exclude_none=True),
            declarant_id=broker,
            created_at=now,
        )
        declaration.record("lodgement", d.IssueDateTime)
        declaration.record("registration", now)
        _assign_containers(uow, declaration.id, d, now)
        trader = _count_filing(uow, d, d.Exporter, "EX", ctx.country)
        _, findings = referenced_documents(ctx, uow, declaration.document, cmd.documents, now)
        risk = merge_lane(ctx.assessor.risk(d, EXPORT, trader, declaration.id, now), findings)
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


def _assign_containers(uow: UnitOfWork, ref: str, d: DeclarationType, now: datetime) -> None:
    consignment = d.GoodsShipment.Consignment
    uow.events.assign(
        ref, [e.ID for e in consignment.TransportEquipment], consignment.LoadingLocation.ID, now
    )


def _count_filing(uow: UnitOfWork, d: DeclarationType, party: PartyType, role: str, country: str) -> Trader:
    """The trader as it was before this filing; its filing count goes up by one. The trader is an
    AEO when the declaration lists an AEOMutualRecognitionParty in its role."""
    aeo = any(p.RoleCode == role for p in d.GoodsShipment.AEOMutualRecognitionParty)
    return uow.traders.record_filing(party.ID, party.Name, country, aeo)


def _clear_export(
    declaration: CustomsDeclaration, uow: UnitOfWork, ctx: NodeContext, officer: str | None
) -> None:
    now = ctx.clock()
    tells = declaration.clear_for_export(now, officer)
    if tells != PREARRIVAL_DATA:
        _notify(declaration, tells, uow, ctx, reason=None)
        return
    refs = [ref for ref, _ in decl_document_refs(declaration.document)]
    body = {
        "documents": uow.documents.get_many(refs),
        "export_declaration_id": declaration.id,
        "lane_at_origin": declaration.lane,
        "export_cleared_at": now.isoformat(),
        "declaration": declaration.document,
    }
    message_id = enqueue(uow, ctx.signer, recipient=ctx.peer, message_type=PREARRIVAL, body=body, now=now)
    declaration.record("prearrival_sent", now, message_id=message_id)


def _notify(
    declaration: CustomsDeclaration, tells: str | None, uow: UnitOfWork, ctx: NodeContext, reason: str | None
) -> None:
    """Tell the destination of a hold on goods it has pre-arrival data for, or of its lifting."""
    if tells is None:
        return
    now = ctx.clock()
    prearrival, sequence = declaration.next_notice()
    body = {
        "export_declaration_id": declaration.id,
        "prearrival_message_id": prearrival,
        "sequence": sequence,
        "at": now.isoformat(),
        "reason": reason,
    }
    message_type = NOTICE_TYPES[tells]
    message_id = enqueue(uow, ctx.signer, recipient=ctx.peer, message_type=message_type, body=body, now=now)
    declaration.record("notice_sent", now, type=message_type, sequence=sequence, message_id=message_id)


def _departure(uow: UnitOfWork, declaration: CustomsDeclaration) -> tuple[str, datetime] | None:
    """Where and when the goods left the export country, by the carrier's events."""
    left = [
        (e.event_time, e.locode)
        for e in uow.events.for_consignment(declaration.id)
        if e.biz_step == BizStep.DEPARTING and e.locode.startswith(declaration.node)
    ]
    return (min(left)[1], min(left)[0]) if left else None


@contextmanager
def _changing(uow: UnitOfWork, declaration_id: str) -> Iterator[CustomsDeclaration]:
    """Load a declaration with its stages, let the caller change it, save and commit; a state
    change the declaration does not allow becomes a Conflict and nothing is written."""
    with uow:
        declaration = uow.declarations.get(declaration_id)
        if declaration is None:
            raise NotFound(f"declaration {declaration_id} not found")
        declaration.stages = uow.declarations.stages(declaration.id)
        try:
            yield declaration
        except TransitionError as exc:
            raise Conflict(f"status: {exc}") from exc
        uow.declarations.save(declaration)
        uow.commit()


def clear_declaration(cmd: ClearDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """The officer's check found the goods conform: an export gets its Let Export Order; an import
    is released at once when it has arrived and is paid, else on arrival once paid."""
    with _changing(uow, cmd.declaration_id) as declaration:
        now = ctx.clock()
        declaration.record(
            "examination", now, result="conform", officer=cmd.officer_id, findings=cmd.findings
        )
        if declaration.flow == EXPORT:
            _clear_export(declaration, uow, ctx, officer=cmd.officer_id)
        else:
            declaration.clear_import()
            sync_release(uow, declaration)
            names = {s.name for s in declaration.stages}
            if declaration.status != RELEASED and {"arrival", "duty_payment"} <= names:
                declaration.record("release", now, officer=cmd.officer_id)
                sync_release(uow, declaration)
    return declaration


def hold_declaration(cmd: HoldDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """An export held after its Let Export Order is stopped before departure: the destination is
    told, and its import declaration is held until the export office lifts the hold."""
    with _changing(uow, cmd.declaration_id) as declaration:
        departed = _departure(uow, declaration) if declaration.flow == EXPORT else None
        tells = declaration.hold(ctx.clock(), cmd.reason, cmd.officer_id, departed)
        _notify(declaration, tells, uow, ctx, reason=cmd.reason)
        sync_release(uow, declaration)
    return declaration


def pay_duties(cmd: PayDuties, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """Record payment of exactly the assessed duties and taxes; a pre-cleared green consignment that
    has arrived is released at once."""
    with _changing(uow, cmd.declaration_id) as declaration:
        if declaration.flow != IMPORT or not declaration.assessment:
            raise Conflict(f"status: declaration {declaration.id} has no assessed duties to pay")
        if cmd.payer != declaration.importer_id:
            raise Forbidden("payer: only the importer may pay this declaration's duties")
        expected = {t["currencyID"]: Decimal(t["value"]) for t in declaration.assessment.get("totals", [])}
        paid = _amounts(cmd.amounts)
        if paid != expected:
            raise InvalidInput(
                [
                    FieldError(
                        "amounts", f"must equal the assessed totals {_show(expected)}, got {_show(paid)}"
                    )
                ]
            )
        if any(s.name == "duty_payment" for s in declaration.stages):
            raise Conflict("status: duties already paid")
        declaration.record(
            "duty_payment",
            ctx.clock(),
            payer=cmd.payer,
            reference=cmd.reference,
            amounts=[{"value": str(v), "currencyID": c} for c, v in sorted(paid.items())],
        )
        sync_release(uow, declaration)
    return declaration


def release_declaration(cmd: ReleaseDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    with _changing(uow, cmd.declaration_id) as declaration:
        if declaration.flow != IMPORT:
            raise Conflict("status: an export declaration is cleared, not released")
        declaration.record("release", ctx.clock(), officer=cmd.officer_id)
        sync_release(uow, declaration)
    return declaration


def _amounts(raw: Any) -> dict[str, Decimal]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput([FieldError("amounts", "a non-empty list of {value, currencyID}")])
    out: dict[str, Decimal] = {}
    for i, item in enumerate(raw):
        try:
            currency, value = item["currencyID"], item["value"]
            if not (
                isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()
            ):
                raise TypeError("currencyID")
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise TypeError("value")
            value = Decimal(str(value))
        except (TypeError, KeyError, InvalidOperation):
            raise InvalidInput(
                [FieldError(f"amounts[{i}]", "needs value (decimal) and currencyID (ISO 4217)")]
            ) from None
        reason = decimal_reason(value) or ("must be a positive amount" if value <= 0 else None)
        if reason:
            raise InvalidInput([FieldError(f"amounts[{i}].value", reason)])
        out[currency] = out.get(currency, Decimal(0)) + value
    return out


def _show(amounts: dict[str, Decimal]) -> str:
    return ", ".join(f"{v} {c}" for c, v in sorted(amounts.items())) or "nothing"


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
    imported = _import_declaration(raw)
    try:
        document = validate_declaration(imported, ctx.codes)
        d = document.Declaration
        route = (d.GoodsShipment.ExportCountry.ID, d.GoodsShipment.Destination.CountryCode)
        if route != (header["sender"], ctx.country):
            raise InvalidInput(
                [
                    FieldError(
                        "Declaration.GoodsShipment.Destination.CountryCode",
                        f"goods {route[0]}->{route[1]} sent by {header['sender']} to {ctx.country}",
                    )
                ]
            )
        assessment = ctx.assessor.duties(d, now)
        _, findings = referenced_documents(ctx, uow, imported, body.get("documents", []), now)
    except (InvalidInput, NotFound) as exc:
        reasons = (
            [e.to_json() for e in exc.errors]
            if isinstance(exc, InvalidInput)
            else [{"path": "Declaration.GoodsShipment.GovernmentAgencyGoodsItem", "reason": str(exc)}]
        )
        ack = _ack(export_id, "rejected", reasons=reasons)
        enqueue(uow, ctx.signer, recipient=header["sender"], message_type=ACKNOWLEDGEMENT, body=ack, now=now)
        # the message itself was sound and is answered: "processed", not a refusal of the envelope
        return {"status": "processed", "decision": "rejected", "reasons": reasons}
    declaration = CustomsDeclaration(
        id=ctx.new_id(),
        node=ctx.country,
        flow=IMPORT,
        lrn=export_id,
        trader_id=d.GoodsShipment.Importer.ID,
        exporter_id=d.Exporter.ID,
        importer_id=d.GoodsShipment.Importer.ID,
        document=document.model_dump(mode="json", exclude_none=True),
        peer_id=export_id,
        created_at=now,
    )
    declaration.record("prearrival_received", now, message_id=header["message_id"])
    declaration.record("lodgement", now)
    declaration.record("registration", now)
    _assign_containers(uow, export_id, d, now)
    trader = _count_filing(uow, d, d.GoodsShipment.Importer, "IM", ctx.country)
    risk = merge_lane(ctx.assessor.risk(d, IMPORT, trader, declaration.id, now), findings)
    declaration.assign_lane(risk["lane"], risk, now)
    declaration.pre_assess(assessment, now)
    uow.declarations.add(declaration)
    ack = _ack(
        export_id,
        "accepted",
        import_declaration_id=declaration.id,
        lane=declaration.lane,
        duties=assessment.get("totals", []),
    )
    enqueue(uow, ctx.signer, recipient=header["sender"], message_type=ACKNOWLEDGEMENT, body=ack, now=now)
    return {"status": "accepted", "import_declaration_id": declaration.id, "lane": declaration.lane}


def _import_declaration(export: dict[str, Any]) -> dict[str, Any]:
    """The import declaration built from the export data: type IM, lodged at the unloading
    location's office, where the goods are also presented (the export's goods location is a place
    in the other country, so it is not carried over). The export's procedure codes (1x-3x) are no import procedure: the import
    procedure is the importer's to declare, so they are left out. A peer still sending the shape
    before the WCO alignment is translated (the same rewrite as the stored declarations)."""
    source = upgrade_declaration(export) if is_legacy_declaration(export) else copy.deepcopy(export)
    d = source["Declaration"]
    d["TypeCode"] = "IM"
    shipment = d.get("GoodsShipment")
    consignment = shipment.get("Consignment") if isinstance(shipment, dict) else None
    unloading = consignment.get("UnloadingLocation") if isinstance(consignment, dict) else None
    if isinstance(unloading, dict) and isinstance(unloading.get("ID"), str):
        d["DeclarationOffice"] = {"ID": unloading["ID"]}
        if isinstance(consignment, dict) and "GoodsLocation" in consignment:
            consignment["GoodsLocation"] = {"ID": unloading["ID"]}
    items = shipment.get("GovernmentAgencyGoodsItem") if isinstance(shipment, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            item.pop("GovernmentProcedure", None)
    return {"Declaration": d}


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
    if declaration is None or declaration.flow != EXPORT:
        raise InvalidInput(
            [FieldError("body.export_declaration_id", f"no export declaration {export_id} here")]
        )
    declaration.store_ack({**body, "message_id": header["message_id"]}, ctx.clock())
    uow.declarations.save(declaration)
    return {"status": "stored", "export_declaration_id": export_id}


def on_export_notice(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Destination: the export office held goods it had cleared, or lifted that hold. The import
    declaration is held (no release on arrival) or freed; of notices that overtake one another only
    the one with the highest sequence counts."""
    held = header["type"] == EXPORT_HOLD
    export_id: Any = body.get("export_declaration_id")
    prearrival: Any = body.get("prearrival_message_id")
    sequence: Any = body.get("sequence")
    errors = []
    if not isinstance(export_id, str) or not export_id:
        errors.append(FieldError("body.export_declaration_id", "missing or not a string"))
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        errors.append(FieldError("body.sequence", "must be a whole number from 1"))
    if held and not isinstance(body.get("reason"), str):
        errors.append(FieldError("body.reason", "a hold states its reason"))
    if errors:
        raise InvalidInput(errors)
    declaration = uow.declarations.find_by_consignment(export_id)
    if declaration is None or declaration.flow != IMPORT:
        if not isinstance(prearrival, str) or uow.inbox.outcome(prearrival) is None:
            # the notice overtook the pre-arrival message: refused for now, the sender tries again
            raise NotYet(
                FieldError(WAITING_FOR_PREARRIVAL, f"pre-arrival message {prearrival} not received yet")
            )
        return {
            "status": "processed",
            "decision": "no import declaration",
            "export_declaration_id": export_id,
        }
    declaration.stages = uow.declarations.stages(declaration.id)
    seen = [int(s.detail.get("sequence", 0)) for s in declaration.stages if s.name == "export_control"]
    outcome = {"status": "processed", "import_declaration_id": declaration.id}
    if seen and sequence <= max(seen):
        return {**outcome, "decision": "superseded by a later notice"}
    if declaration.status == RELEASED:
        return {**outcome, "decision": "already released, no effect"}
    declaration.record(
        "export_control",
        ctx.clock(),
        held=held,
        sequence=sequence,
        office=header["sender"],
        reason=body.get("reason"),
        message_id=header["message_id"],
    )
    sync_release(uow, declaration)
    uow.declarations.save(declaration)
    return {**outcome, "decision": "held" if held else "hold lifted", "status_now": declaration.status}


def grant_mandate(cmd: GrantMandate, uow: UnitOfWork, ctx: NodeContext) -> dict[str, str]:
    errors = [
        FieldError(name, "required")
        for name, value in (("broker_id", cmd.broker_id), ("exporter_id", cmd.exporter_id))
        if not isinstance(value, str) or not value.strip()
    ]
    if errors:
        raise InvalidInput(errors)
    with uow:
        uow.mandates.grant(cmd.broker_id, cmd.exporter_id, ctx.clock())
        uow.commit()
    return {"broker_id": cmd.broker_id, "exporter_id": cmd.exporter_id}
