"""Filing at the origin: an exporter (or its mandated broker) files an export declaration."""

from __future__ import annotations

from collections.abc import Sequence

from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.vocabulary import Flow, Lane
from corridor.customs.domain.wco import DeclarationType
from corridor.customs.handlers.export_side import clear_export
from corridor.customs.handlers.registration import (
    assess_lane,
    check_documents,
    count_filing,
    read_ahead_traders,
    register,
)
from corridor.customs.validation import validate_declaration
from corridor.service.commands import FileDeclaration, GrantMandate
from corridor.service.context import NodeContext
from corridor.service.ports import CommitConflict, UnitOfWork
from corridor.shared.errors import Conflict, FieldError, Forbidden, InvalidInput


def file_declaration(cmd: FileDeclaration, uow: UnitOfWork, ctx: NodeContext) -> CustomsDeclaration:
    """Validate, register and assess an export declaration; a green one is cleared and its
    pre-arrival data leaves in the same transaction."""
    document = validate_declaration(cmd.document, ctx.codes)
    d = document.Declaration
    _check_route(d, ctx)
    broker = _broker(cmd, d)
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
            flow=Flow.EXPORT,
            lrn=d.FunctionalReferenceID,
            trader_id=d.Exporter.ID,
            exporter_id=d.Exporter.ID,
            importer_id=d.GoodsShipment.Importer.ID,
            filed=FiledDocument.of(document),
            declarant_id=broker,
            created_at=now,
        )
        register(declaration, d, d.IssueDateTime, now)
        trader = count_filing(uow, d, d.Exporter, "EX", ctx.country)
        findings = check_documents(uow, ctx, declaration.document_json(), cmd.documents, now)
        assess_lane(declaration, d, trader, findings, ctx)
        if declaration.lane is Lane.GREEN:
            clear_export(declaration, uow, ctx, officer=None)
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


def read_ahead_filings(commands: Sequence[FileDeclaration], uow: UnitOfWork) -> None:
    """The exporters whose filings a bulk will count, read together."""
    read_ahead_traders([cmd.document for cmd in commands], ("Declaration", "Exporter", "ID"), uow)


def _check_route(d: DeclarationType, ctx: NodeContext) -> None:
    if d.TypeCode != "EX":
        raise InvalidInput([FieldError("Declaration.TypeCode", "this node accepts export declarations (EX)")])
    exporting = d.GoodsShipment.ExportCountry.ID
    if ctx.country != exporting:
        raise InvalidInput(
            [FieldError("Declaration.GoodsShipment.ExportCountry.ID", f"file it at the {exporting} node")]
        )


def _broker(cmd: FileDeclaration, d: DeclarationType) -> str | None:
    """The customs broker filing for the exporter, if the filer is not the exporter itself."""
    broker = cmd.filed_by if cmd.filed_by is not None and cmd.filed_by != d.Exporter.ID else None
    if broker is not None and (d.Declarant is None or broker != d.Declarant.ID):
        raise Forbidden(
            "Declaration.Exporter.ID: a trader files its own declarations, or as their Declarant "
            "under the exporter's mandate"
        )
    return broker


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
