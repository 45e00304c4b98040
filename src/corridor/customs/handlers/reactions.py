"""How customs reacts to what other capabilities tell it: the goods' movements drive release at the
entry port (and keep the departure on the export), and a revoked document sends the declarations
that rely on it back to an officer."""

from __future__ import annotations

from collections.abc import Callable

from corridor.customs.domain.model import CustomsDeclaration, TransitionError
from corridor.documents.events import DocumentRevoked
from corridor.logistics.events import MovementsRecorded
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork
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
