"""Destination: the export office held goods it had cleared, or lifted that hold."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.model import TransitionError
from corridor.customs.domain.vocabulary import Flow
from corridor.customs.handlers.messages import EXPORT_HOLD, WAITING_FOR_PREARRIVAL
from corridor.service.context import NodeContext
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import Conflict, FieldError, InvalidInput, NotYet


def on_export_notice(
    body: dict[str, Any], header: dict[str, str], uow: UnitOfWork, ctx: NodeContext
) -> dict[str, Any]:
    """The import declaration is held (no release on arrival) or freed; of notices that overtake
    one another only the one with the highest sequence counts."""
    held = header["type"] == EXPORT_HOLD
    export_id, prearrival, sequence = _notice_fields(body, held)
    declaration = uow.declarations.find_by_consignment(export_id)
    if declaration is None or declaration.flow is not Flow.IMPORT:
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
    outcome = {"status": "processed", "import_declaration_id": declaration.id}
    reason = body.get("reason")
    try:
        decision = declaration.export_office_notice(
            held, sequence, header["sender"], reason, header["message_id"], ctx.clock()
        )
    except TransitionError as exc:
        raise Conflict(f"status: {exc}") from exc
    if decision not in ("held", "hold lifted"):
        return {**outcome, "decision": decision}
    uow.declarations.save(declaration)
    return {**outcome, "decision": decision, "status_now": declaration.status}


def _notice_fields(body: dict[str, Any], held: bool) -> tuple[str, Any, int]:
    export_id: Any = body.get("export_declaration_id")
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
    return export_id, body.get("prearrival_message_id"), sequence
