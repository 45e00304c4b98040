"""Destination: the export office held goods it had cleared, or lifted that hold."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.export_notice import ExportNotice
from corridor.customs.domain.model import TransitionError
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.handlers.messages import EXPORT_HOLD, WAITING_FOR_PREARRIVAL
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import Conflict, FieldError, NotYet


def on_export_notice(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """The import declaration is held (no release on arrival) or freed; of notices that overtake
    one another only the one with the highest sequence counts."""
    held = header["type"] == EXPORT_HOLD
    notice = ExportNotice.from_json(body, held)
    export_id, prearrival = notice.export_declaration_id, notice.prearrival_message_id
    declaration = uow.declarations.find_by_consignment(export_id)
    if declaration is None or declaration.flow is not Flow.IMPORT:
        if prearrival is None or uow.inbox.outcome(prearrival) is None:
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
    outcome = {"status": "processed", "import_declaration_id": declaration.id}
    try:
        decision = declaration.export_office_notice(
            held, notice.sequence, header["sender"], notice.reason, header["message_id"], ctx.clock()
        )
    except TransitionError as exc:
        raise Conflict(f"status: {exc}") from exc
    if decision not in ("held", "hold lifted"):
        return {**outcome, "decision": decision}
    uow.declarations.save(declaration)
    return {**outcome, "decision": decision, "status_now": declaration.status}
