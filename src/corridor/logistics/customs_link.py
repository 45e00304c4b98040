"""Customs status and logistics events drive each other (pure).

The import declaration's own stages (lodgement, registration, assessment, duty payment,
examination, hold, the export office's hold and its lifting, officer release) and the consignment's logistics events are replayed in time
order through ``ConsignmentRelease``; what it concludes (arrival, automated release, queueing with a
due time, exit) is written back onto the declaration as Time Release Study stages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from corridor.customs.domain.model import HELD, PRE_ASSESSED, RELEASED, UNDER_CONTROL, CustomsDeclaration
from corridor.logistics.event_rules import LogisticsEvent
from corridor.logistics.release import AUTOMATED, ConsignmentRelease, ExamResult, Lane, Status, TrsStage

# Stages that are inputs to the release machine, in their order at one instant.
INPUT_STAGES = (
    "lodgement",
    "registration",
    "assessment",
    "export_control",  # before a payment at the same instant: a hold is never outrun
    "duty_payment",
    "examination",
    "hold",
    "release",
)


def entry_port(declaration: CustomsDeclaration) -> str:
    return str(declaration.document["Declaration"]["GoodsShipment"]["Consignment"]["UnloadingLocation"]["ID"])


def declared_carrier(declaration: CustomsDeclaration) -> str | None:
    """The ID of the consignment's declared Carrier, or None when the declaration names none."""
    carrier = declaration.document["Declaration"]["GoodsShipment"]["Consignment"].get("Carrier")
    return str(carrier["ID"]) if isinstance(carrier, dict) and "ID" in carrier else None


def consignment_ref(declaration: CustomsDeclaration) -> str:
    """The corridor-wide consignment reference: the export declaration's id."""
    return declaration.peer_id if declaration.flow == "import" and declaration.peer_id else declaration.id


def replay(declaration: CustomsDeclaration, events: Iterable[LogisticsEvent]) -> ConsignmentRelease:
    """Rebuild the release state machine from the declaration's stages and the events; a stage the
    machine does not allow raises its ``ReleaseError``."""
    cr = ConsignmentRelease(consignment_ref(declaration), entry_port(declaration))
    steps: list[tuple[datetime, int, str, Callable[[], object]]] = []
    for stage in declaration.stages:
        action = _customs_step(cr, stage.name, stage.at, stage.detail)
        if action is not None:
            steps.append((stage.at, INPUT_STAGES.index(stage.name), _tie(stage.name, stage.detail), action))
    for event in events:
        steps.append((event.event_time, len(INPUT_STAGES), event.event_id, _applier(cr, event)))
    for _, _, _, action in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        action()
    return cr


def _tie(name: str, detail: dict[str, object]) -> str:
    """Order at one instant: the export office's notices by their sequence number."""
    if name == "export_control":
        return f"{name}:{detail.get('sequence', 0):>012}"
    return name


def _applier(cr: ConsignmentRelease, event: LogisticsEvent) -> Callable[[], object]:
    return lambda: cr.apply(event)


def _customs_step(
    cr: ConsignmentRelease, name: str, at: datetime, detail: dict[str, object]
) -> Callable[[], object] | None:
    if name == "lodgement":
        return lambda: cr.lodge(at)
    if name == "registration":
        return lambda: cr.register(at)
    if name == "assessment":
        return lambda: cr.assess(at, Lane(str(detail["lane"])))
    if name == "duty_payment":
        return lambda: cr.pay(at)
    if name == "examination" and detail.get("result") in ("conform", "non_conform"):
        return lambda: cr.examine(at, ExamResult(str(detail["result"])), str(detail.get("officer", "")))
    if name == "hold":
        return lambda: cr.hold(at, str(detail.get("officer", "")), str(detail.get("reason", "")))
    if name == "export_control":
        office, reason = str(detail.get("office", "")), str(detail.get("reason") or "")
        if detail.get("held"):
            return lambda: cr.hold_at_export(at, office, reason)
        return lambda: cr.lift_export_hold(at, office)
    if name == "release" and detail.get("officer") not in (None, AUTOMATED):
        return lambda: cr.release(at, str(detail["officer"]))
    return None


def write_back(declaration: CustomsDeclaration, cr: ConsignmentRelease) -> bool:
    """Record on the declaration what the replay concluded; True when anything changed."""
    recorded = {s.name for s in declaration.stages}
    changed = False
    for stage, name in ((TrsStage.ARRIVAL, "arrival"), (TrsStage.EXIT, "exit")):
        if stage in cr.stages and name not in recorded:
            declaration.record(name, cr.stages[stage])
            changed = True
    if TrsStage.RELEASE in cr.stages and declaration.status != RELEASED:
        if "release" not in recorded:
            declaration.record(
                "release",
                cr.stages[TrsStage.RELEASE],
                officer=AUTOMATED,
                detail="pre-cleared, green, paid: released on arrival",
            )
        declaration.status = RELEASED
        changed = True
    elif cr.status is Status.QUEUED and cr.queue_entry is not None and "queued" not in recorded:
        declaration.status = UNDER_CONTROL
        declaration.record(
            "queued",
            cr.queue_entry.enqueued_at,
            due=cr.queue_entry.due_at.isoformat(),
            lane=cr.queue_entry.lane.value,
        )
        changed = True
    elif cr.status is Status.HELD and declaration.status != HELD:
        declaration.status = HELD
        changed = True
    elif cr.status is not Status.HELD and declaration.status == HELD:  # the export office lifted its hold
        cleared = cr.lane is Lane.GREEN or cr.exam_result is ExamResult.CONFORM
        declaration.status = PRE_ASSESSED if cr.status is not Status.QUEUED and cleared else UNDER_CONTROL
        changed = True
    return changed
