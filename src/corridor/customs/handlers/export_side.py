"""What an export declaration's changes send the destination: the pre-arrival data once, at the
Let Export Order, and a notice when goods it had cleared are held or freed."""

from __future__ import annotations

from corridor.customs.domain.export_notice import ExportNotice
from corridor.customs.domain.model import PREARRIVAL_DATA, CustomsDeclaration
from corridor.customs.domain.vocabulary import StageName
from corridor.customs.handlers.messages import NOTICE_TYPES, PREARRIVAL
from corridor.service.context import NodeContext
from corridor.service.outbox import enqueue
from corridor.service.ports import UnitOfWork


def clear_export(
    declaration: CustomsDeclaration, uow: UnitOfWork, ctx: NodeContext, officer: str | None
) -> None:
    now = ctx.clock()
    tells = declaration.clear_for_export(now, officer)
    if tells != PREARRIVAL_DATA:
        notify(declaration, tells, uow, ctx, reason=None)
        return
    document = declaration.document_json()
    body = {
        "documents": ctx.desk.referenced(uow, document) if ctx.desk else [],
        "export_declaration_id": declaration.id,
        "lane_at_origin": declaration.lane,
        "export_cleared_at": now.isoformat(),
        "declaration": document,
    }
    message_id = enqueue(uow, ctx.signer, recipient=ctx.peer, message_type=PREARRIVAL, body=body, now=now)
    declaration.export_cleared(message_id, now)


def notify(
    declaration: CustomsDeclaration, tells: str | None, uow: UnitOfWork, ctx: NodeContext, reason: str | None
) -> None:
    """Tell the destination of a hold on goods it has pre-arrival data for, or of its lifting."""
    if tells is None:
        return
    now = ctx.clock()
    prearrival, sequence = declaration.next_notice()
    notice = ExportNotice(declaration.id, prearrival, sequence, reason, now)
    message_type = NOTICE_TYPES[tells]
    message_id = enqueue(
        uow, ctx.signer, recipient=ctx.peer, message_type=message_type, body=notice.to_json(), now=now
    )
    declaration.record(
        StageName.NOTICE_SENT, now, type=message_type, sequence=sequence, message_id=message_id
    )
