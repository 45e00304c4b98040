"""The exchange of pre-arrival data: the destination builds, assesses and acknowledges the import
declaration; the origin keeps the answer on the export declaration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from corridor.customs.domain.acknowledgement import Acknowledgement
from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.domain.wco import DeclarationDocument
from corridor.customs.handlers.messages import ACKNOWLEDGEMENT
from corridor.customs.handlers.registration import (
    assess_lane,
    check_documents,
    count_filing,
    read_ahead_traders,
    register,
)
from corridor.customs.legacy import is_legacy_declaration, upgrade_declaration
from corridor.customs.validation import validate_declaration
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import FieldError, InvalidInput, NotFound


def on_prearrival(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Destination: build the import declaration from the export data, assess it, acknowledge."""
    export_id, raw = _prearrival_fields(body)
    now = ctx.clock()
    imported = _import_declaration(raw)
    try:
        document = validate_declaration(imported, ctx.codes)
        _check_route(document, header["sender"], ctx.country)
        assessment = ctx.assessor.duties(document.Declaration, now)
        findings = check_documents(uow, ctx, imported, body.get("documents", []), now)
    except (InvalidInput, NotFound) as exc:
        reasons = (
            tuple(exc.errors)
            if isinstance(exc, InvalidInput)
            else (FieldError("Declaration.GoodsShipment.GovernmentAgencyGoodsItem", str(exc)),)
        )
        _acknowledge(uow, ctx, header["sender"], Acknowledgement(export_id, "rejected", reasons=reasons), now)
        # the message itself was sound and is answered: "processed", not a refusal of the envelope
        return {"status": "processed", "decision": "rejected", "reasons": [r.to_json() for r in reasons]}
    d = document.Declaration
    declaration = CustomsDeclaration(
        id=ctx.new_id(),
        node=ctx.country,
        flow=Flow.IMPORT,
        lrn=export_id,
        trader_id=d.GoodsShipment.Importer.ID,
        exporter_id=d.Exporter.ID,
        importer_id=d.GoodsShipment.Importer.ID,
        filed=FiledDocument.of(document),
        peer_id=export_id,
        created_at=now,
    )
    declaration.receive_prearrival(header["message_id"], now)
    register(declaration, d, now, now)
    trader = count_filing(uow, d, d.GoodsShipment.Importer, "IM", ctx.country)
    assess_lane(declaration, d, trader, findings, ctx)
    declaration.pre_assess(assessment, now)
    uow.declarations.add(declaration)
    ack = Acknowledgement(
        export_id,
        "accepted",
        import_declaration_id=declaration.id,
        lane=declaration.lane,
        duties=tuple(assessment.payable()),
    )
    _acknowledge(uow, ctx, header["sender"], ack, now)
    return {"status": "accepted", "import_declaration_id": declaration.id, "lane": declaration.lane}


def read_ahead_prearrivals(bodies: Sequence[dict[str, Any]], uow: UnitOfWork) -> None:
    """The importers whose filings a batch of pre-arrival messages will count, read together."""
    read_ahead_traders(bodies, ("declaration", "Declaration", "GoodsShipment", "Importer", "ID"), uow)


def _prearrival_fields(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    export_id = body.get("export_declaration_id")
    if not isinstance(export_id, str) or not export_id:
        raise InvalidInput([FieldError("body.export_declaration_id", "missing or not a string")])
    raw = body.get("declaration")
    if not isinstance(raw, dict) or not isinstance(raw.get("Declaration"), dict):
        raise InvalidInput([FieldError("body.declaration", "missing or not a declaration document")])
    return export_id, raw


def _check_route(document: DeclarationDocument, sender: str, country: str) -> None:
    shipment = document.Declaration.GoodsShipment
    route = (shipment.ExportCountry.ID, shipment.Destination.CountryCode)
    if route != (sender, country):
        raise InvalidInput(
            [
                FieldError(
                    "Declaration.GoodsShipment.Destination.CountryCode",
                    f"goods {route[0]}->{route[1]} sent by {sender} to {country}",
                )
            ]
        )


def _import_declaration(export: dict[str, Any]) -> dict[str, Any]:
    """The import declaration built from the export data: type IM, lodged at the unloading
    location's office, where the goods are also presented (the export's goods location is a place
    in the other country, so it is not carried over). The export's procedure codes (1x-3x) are no
    import procedure: the import procedure is the importer's to declare, so they are left out. A
    peer still sending the shape before the WCO alignment is translated (the same rewrite as the
    stored declarations)."""
    source = upgrade_declaration(export) if is_legacy_declaration(export) else export
    # copies of the members changed along the way only: the rest of the export is shared, read-only
    d = dict(source["Declaration"])
    d["TypeCode"] = "IM"
    shipment = d.get("GoodsShipment")
    if isinstance(shipment, dict):
        shipment = d["GoodsShipment"] = dict(shipment)
    consignment = shipment.get("Consignment") if isinstance(shipment, dict) else None
    unloading = consignment.get("UnloadingLocation") if isinstance(consignment, dict) else None
    if isinstance(unloading, dict) and isinstance(unloading.get("ID"), str):
        d["DeclarationOffice"] = {"ID": unloading["ID"]}
        if isinstance(consignment, dict) and "GoodsLocation" in consignment:
            assert isinstance(shipment, dict)
            shipment["Consignment"] = {**consignment, "GoodsLocation": {"ID": unloading["ID"]}}
    items = shipment.get("GovernmentAgencyGoodsItem") if isinstance(shipment, dict) else None
    if isinstance(items, list):
        assert isinstance(shipment, dict)
        shipment["GovernmentAgencyGoodsItem"] = [
            {k: v for k, v in item.items() if k != "GovernmentProcedure"} if isinstance(item, dict) else item
            for item in items
        ]
    return {"Declaration": d}


def _acknowledge(uow: UnitOfWork, ctx: NodeContext, origin: str, ack: Acknowledgement, now: datetime) -> None:
    enqueue(uow, ctx.signer, recipient=origin, message_type=ACKNOWLEDGEMENT, body=ack.to_json(), now=now)


def on_acknowledgement(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """Origin: store the destination's answer on the export declaration."""
    ack = replace(Acknowledgement.from_json(body), message_id=header["message_id"])
    export_id = ack.export_declaration_id
    declaration = uow.declarations.get(export_id)
    if declaration is None or declaration.flow is not Flow.EXPORT:
        raise InvalidInput(
            [FieldError("body.export_declaration_id", f"no export declaration {export_id} here")]
        )
    declaration.store_ack(ack, ctx.clock())
    uow.declarations.save(declaration)
    return {"status": "stored", "export_declaration_id": export_id}
