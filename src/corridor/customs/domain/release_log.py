"""An import declaration's log and its release state machine: the machine is rebuilt from the
declaration's own stages (and the movements just reported), and what it concludes (arrival, release
on arrival, queueing with a due time, exit) is recorded back on the declaration as stages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from corridor.customs.domain.release import AUTOMATED, ConsignmentRelease, ExamResult, GoodsStatus
from corridor.customs.domain.stage import StageDetail
from corridor.customs.domain.vocabulary import Lane, StageName, Status
from corridor.shared.cbv import BizStep
from corridor.shared.movement import GoodsMovement

if TYPE_CHECKING:
    from corridor.customs.domain.model import CustomsDeclaration

# Stages that are inputs to the release machine, in their order at one instant; movements (and the
# arrival and exit recorded from them) come after the customs stages of the same instant.
INPUT_STAGES = (
    StageName.LODGEMENT,
    StageName.REGISTRATION,
    StageName.ASSESSMENT,
    StageName.REEXAMINATION,
    StageName.EXPORT_CONTROL,  # before a payment at the same instant: a hold is never outrun
    StageName.DUTY_PAYMENT,
    StageName.EXAMINATION,
    StageName.HOLD,
    StageName.RELEASE,
)
MOVEMENT_ORDER = len(INPUT_STAGES)

Step = tuple[datetime, int, str, Callable[[], object]]


def rehydrate(
    declaration: CustomsDeclaration, movements: tuple[GoodsMovement, ...] = ()
) -> ConsignmentRelease:
    """The release machine of an import declaration, in time order over its stages and ``movements``;
    a stage the machine does not allow raises its ``ReleaseError``."""
    cr = ConsignmentRelease(declaration.consignment, declaration.entry_port)
    steps: list[Step] = []
    for stage in declaration.stages:
        steps.extend(_stage_step(cr, stage.name, stage.at, stage.detail))
    for movement in movements:
        steps.append((movement.event_time, MOVEMENT_ORDER, movement.event_id, _applier(cr, movement)))
    for _, _, _, action in sorted(steps, key=lambda s: (s[0], s[1], s[2])):
        action()
    return cr


def _applier(cr: ConsignmentRelease, movement: GoodsMovement) -> Callable[[], object]:
    return lambda: cr.apply(movement)


def _stage_step(cr: ConsignmentRelease, name: str, at: datetime, detail: StageDetail) -> list[Step]:
    if name == StageName.ARRIVAL:
        return [(at, MOVEMENT_ORDER, "", lambda: cr.restore_arrival(at))]
    if name == StageName.EXIT:
        return [(at, MOVEMENT_ORDER + 1, "", lambda: cr.restore_exit(at))]
    if name == StageName.EXIT_REPORTED:
        movement = GoodsMovement(
            str(detail["event_id"]),
            datetime.fromisoformat(str(detail["event_time"])),
            BizStep.DEPARTING,
            str(detail["location"]),
        )
        return [(movement.event_time, MOVEMENT_ORDER, movement.event_id, _applier(cr, movement))]
    action = _customs_step(cr, name, at, detail)
    if action is None:
        return []
    return [(at, INPUT_STAGES.index(StageName(name)), _tie(name, detail), action)]


def _tie(name: str, detail: StageDetail) -> str:
    """Order at one instant: the export office's notices by their sequence number."""
    if name == StageName.EXPORT_CONTROL:
        return f"{name}:{detail.get('sequence', 0):>012}"
    return name


def _customs_step(
    cr: ConsignmentRelease, name: str, at: datetime, detail: StageDetail
) -> Callable[[], object] | None:
    if name == StageName.LODGEMENT:
        return lambda: cr.lodge(at)
    if name == StageName.REGISTRATION:
        return lambda: cr.register(at)
    if name == StageName.ASSESSMENT:
        return lambda: cr.assess(at, Lane(str(detail["lane"])))
    if name == StageName.DUTY_PAYMENT:
        return lambda: cr.pay(at)
    if name == StageName.REEXAMINATION:
        return lambda: cr.escalate(at, Lane(str(detail["lane"])), str(detail.get("reason", "")))
    if name == StageName.EXAMINATION and detail.get("result") in ("conform", "non_conform"):
        return lambda: cr.examine(at, ExamResult(str(detail["result"])), str(detail.get("officer", "")))
    if name == StageName.HOLD:
        return lambda: cr.hold(at, str(detail.get("officer", "")), str(detail.get("reason", "")))
    if name == StageName.EXPORT_CONTROL:
        office, reason = str(detail.get("office", "")), str(detail.get("reason") or "")
        if detail.get("held"):
            return lambda: cr.hold_at_export(at, office, reason)
        return lambda: cr.lift_export_hold(at, office)
    if name == StageName.RELEASE and detail.get("officer") not in (None, AUTOMATED):
        return lambda: cr.release(at, str(detail["officer"]))
    return None


def conclude(declaration: CustomsDeclaration, cr: ConsignmentRelease) -> None:
    """Record on the declaration what the machine concluded."""
    recorded = {s.name for s in declaration.stages}
    for stage in (StageName.ARRIVAL, StageName.EXIT):
        if stage in cr.stages and stage not in recorded:
            declaration.record(stage, cr.stages[stage])
    if StageName.RELEASE in cr.stages and declaration.status is not Status.RELEASED:
        if StageName.RELEASE not in recorded:
            declaration.record(
                StageName.RELEASE,
                cr.stages[StageName.RELEASE],
                officer=AUTOMATED,
                detail="pre-cleared, green, paid: released on arrival",
            )
        declaration.status = Status.RELEASED
    elif cr.status is GoodsStatus.QUEUED and cr.queue_entry is not None and StageName.QUEUED not in recorded:
        declaration.status = Status.UNDER_CONTROL
        declaration.record(
            StageName.QUEUED,
            cr.queue_entry.enqueued_at,
            due=cr.queue_entry.due_at.isoformat(),
            lane=cr.queue_entry.lane.value,
        )
    elif cr.status is GoodsStatus.HELD and declaration.status is not Status.HELD:
        declaration.status = Status.HELD
    elif (
        cr.status is not GoodsStatus.HELD and declaration.status is Status.HELD
    ):  # the export office lifted its hold
        cleared = cr.lane is Lane.GREEN or cr.exam_result is ExamResult.CONFORM
        released_or_queued = cr.status is GoodsStatus.QUEUED or not cleared
        declaration.status = Status.UNDER_CONTROL if released_or_queued else Status.PRE_ASSESSED


def still_waiting(cr: ConsignmentRelease, declaration: CustomsDeclaration) -> list[GoodsMovement]:
    """Exits from the entry port reported before the release, not yet on the declaration's log: kept
    there so the exit is recorded once the goods are released."""
    noted = {s.detail.get("event_id") for s in declaration.stages if s.name == StageName.EXIT_REPORTED}
    return [
        m
        for m in cr.pending
        if m.locode == cr.entry_port and m.biz_step == BizStep.DEPARTING and m.event_id not in noted
    ]
