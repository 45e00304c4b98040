"""How customs reacts to what other capabilities tell it: the goods' movements drive release at the
entry port (and keep the departure on the export), a revoked document sends the declarations that
rely on it back to an officer, and duties count as paid when settlement has posted them."""

from __future__ import annotations

from collections.abc import Callable

from corridor.customs.domain.model import CustomsDeclaration, TransitionError
from corridor.customs.domain.vocabulary import StageName
from corridor.documents.events import DocumentRevoked
from corridor.logistics.events import MovementsRecorded
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork
from corridor.settlement.events import DutiesSettled
from corridor.shared.errors import Conflict


def on_movements_recorded(event: MovementsRecorded, uow: UnitOfWork, ctx: NodeContext) -> None:
    declaration = uow.declarations.find_by_consignment(event.consignment)
    if declaration is None:
        return
    _change(uow, declaration, lambda d: d.goods_moved(event.movements, ctx.clock()))


def on_document_revoked(event: DocumentRevoked, uow: UnitOfWork, ctx: NodeContext) -> None:
    reason = f"{event.kind} {event.hash} revoked by its issuer: {event.reason}"
    for declaration in uow.declarations.referencing(event.hash):
        _change(uow, declaration, lambda d: d.reexamine(reason, ctx.clock()))


def on_duties_settled(event: DutiesSettled, uow: UnitOfWork, ctx: NodeContext) -> None:
    """Settlement posted the duty transfers to this country's customs revenue account: the payment
    stage is recorded with the transfer ids (a declaration paid already is left as it is)."""
    declaration = uow.declarations.get(event.declaration_id)
    if declaration is None:
        return
    if not declaration.stages:
        declaration.stages = uow.declarations.stages(declaration.id)
    if declaration.has(StageName.DUTY_PAYMENT):
        return
    payer = event.payer or declaration.importer_id
    reference = event.reference or ", ".join(event.transfer_ids)
    at = event.at or ctx.clock()
    _change(uow, declaration, lambda d: d.pay(payer, d.assessed_totals(), reference, at, event.transfer_ids))


def _change(
    uow: UnitOfWork, declaration: CustomsDeclaration, change: Callable[[CustomsDeclaration], None]
) -> None:
    if not declaration.stages:
        declaration.stages = uow.declarations.stages(declaration.id)
    try:
        change(declaration)
    except TransitionError as exc:
        raise Conflict(f"status: {exc}") from exc
    if declaration.new_stages:
        uow.declarations.save(declaration)
