"""The release of a consignment at its entry port, pure: the import declaration's state machine, driven
by customs stages and by the goods' movements that logistics reports.

Stages are those of the WCO Time Release Study (TRS, Guide version 3, 2018): arrival, lodgement (filing),
registration, assessment, examination, duty payment, release, exit from port. Each is timestamped once.

Rules:
* **Release on arrival**: a consignment that is pre-cleared (lodged, registered and assessed before it
  arrives), in the green lane and paid is released at the arrival event's time, without an officer.
  A yellow-lane consignment whose documentary check was completed (conform) before arrival, and paid, is
  released the same way.
* Otherwise, on arrival (or on assessment after arrival) a yellow or red consignment goes to the officer
  queue with a due time ``max(arrival, assessment) + lane_sla[lane]``; the officer records the examination
  result, then releases or holds.
* A green consignment that is assessed or paid after arrival is released when the last of arrival,
  assessment and payment happens.
* A hold from the export office (goods it had cleared, stopped before departure) keeps the consignment
  from release on arrival and out of the queue until that office lifts it; then it is routed as above.
* No release without payment (``NotPaid``), no release twice (``AlreadyReleased``), no release before
  arrival, no yellow/red release without a conform examination (``InvalidTransition``).
* Movements (``GoodsMovement``) are applied in eventTime order: an event whose predecessor is
  missing is held (arriving needs an earlier departure from elsewhere; unloading at a place needs the
  arrival there; exit from the entry port needs the arrival there and the customs release) and applied
  once it is ready. An eventID seen before has no effect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from corridor.customs.domain.release_outcomes import (
    AUTOMATED,
    DEFAULT_LANE_SLA,
    AlreadyReleased,
    ExamResult,
    GoodsStatus,
    InvalidTransition,
    NotPaid,
    Outcome,
    OutcomeKind,
    QueueEntry,
    ReleaseError,
    TimelineEntry,
)
from corridor.customs.domain.vocabulary import Lane, StageName
from corridor.shared.cbv import BizStep
from corridor.shared.movement import GoodsMovement


class ConsignmentRelease:
    """One consignment at its customs entry port (``entry_port``, a UN/LOCODE)."""

    def __init__(
        self,
        consignment_id: str,
        entry_port: str,
        *,
        lane_sla: Mapping[Lane, timedelta] = DEFAULT_LANE_SLA,
    ) -> None:
        self.consignment_id = consignment_id
        self.entry_port = entry_port
        self.lane_sla = lane_sla
        self.stages: dict[StageName, datetime] = {}
        self.lane: Lane | None = None
        self.exam_result: ExamResult | None = None
        self.queue_entry: QueueEntry | None = None
        self.held_reason: str | None = None
        self.export_hold: str | None = None  # the export office's hold, until it lifts it
        self.timeline: list[TimelineEntry] = []
        self._applied: list[GoodsMovement] = []
        self._pending: list[GoodsMovement] = []
        self._seen: set[str] = set()

    # ---------------------------------------------------------------- read side
    @property
    def status(self) -> GoodsStatus:
        if StageName.EXIT in self.stages:
            return GoodsStatus.EXITED
        if StageName.RELEASE in self.stages:
            return GoodsStatus.RELEASED
        if self.held_reason is not None or self.export_hold is not None:
            return GoodsStatus.HELD
        if self.queue_entry is not None:
            return GoodsStatus.QUEUED
        if StageName.ARRIVAL in self.stages:
            return GoodsStatus.ARRIVED
        return GoodsStatus.EXPECTED

    @property
    def pending(self) -> tuple[GoodsMovement, ...]:
        """Logistics events held until their predecessors arrive, in eventTime order."""
        return tuple(sorted(self._pending, key=lambda e: e.event_time))

    @property
    def pre_cleared(self) -> bool:
        """Lodged, registered and assessed no later than arrival (or not yet arrived)."""
        assessed = self.stages.get(StageName.ASSESSMENT)
        arrived = self.stages.get(StageName.ARRIVAL)
        return assessed is not None and (arrived is None or assessed <= arrived)

    def release_hours(self) -> float | None:
        """TRS release time, arrival → release, in hours (negative never; 0 for release on arrival)."""
        arr, rel = self.stages.get(StageName.ARRIVAL), self.stages.get(StageName.RELEASE)
        if arr is None or rel is None:
            return None
        return (rel - arr).total_seconds() / 3600.0

    # ---------------------------------------------------------------- customs commands
    def lodge(self, at: datetime) -> list[Outcome]:
        self._once(StageName.LODGEMENT, "declaration already lodged")
        return self._stage(StageName.LODGEMENT, at)

    def register(self, at: datetime) -> list[Outcome]:
        self._need(StageName.LODGEMENT, at, "registration")
        self._once(StageName.REGISTRATION, "declaration already registered")
        return self._stage(StageName.REGISTRATION, at)

    def assess(self, at: datetime, lane: Lane) -> list[Outcome]:
        self._need(StageName.REGISTRATION, at, "assessment")
        self._once(StageName.ASSESSMENT, "declaration already assessed")
        self.lane = lane
        out = self._stage(StageName.ASSESSMENT, at, f"lane {lane.value}")
        arrived = self.stages.get(StageName.ARRIVAL)
        if arrived is not None:
            out += self._route(max(arrived, at))
        return out

    def pay(self, at: datetime) -> list[Outcome]:
        self._need(StageName.ASSESSMENT, at, "duty payment")
        self._once(StageName.DUTY_PAYMENT, "duties already paid")
        out = self._stage(StageName.DUTY_PAYMENT, at)
        arrived = self.stages.get(StageName.ARRIVAL)
        if arrived is not None and self._auto_releasable():
            out += self._release(
                max(arrived, at), AUTOMATED, f"{self.lane.value if self.lane else ''} lane, paid"
            )
        return out

    def examine(self, at: datetime, result: ExamResult, officer: str, findings: str = "") -> list[Outcome]:
        self._need(StageName.ASSESSMENT, at, "examination")
        self._not_released()
        if self.lane is Lane.RED and StageName.ARRIVAL not in self.stages:
            raise InvalidTransition("a physical examination (red lane) needs the goods: not arrived yet")
        self.exam_result = result
        self.stages[StageName.EXAMINATION] = at
        self._log(
            at,
            "customs",
            StageName.EXAMINATION.value,
            ref=officer,
            detail=f"{result.value} {findings}".strip(),
        )
        return [Outcome(OutcomeKind.STAGE, at, StageName.EXAMINATION.value, officer)]

    def escalate(self, at: datetime, lane: Lane, reason: str) -> list[Outcome]:
        """Re-examination: the lane becomes at least ``lane`` (a document it relies on was revoked);
        goods already arrived go to the officer's queue."""
        self._not_released()
        self.lane = lane if self.lane is None else self.lane.at_least(lane)
        self._log(at, "customs", "reexamination", detail=reason)
        arrived = self.stages.get(StageName.ARRIVAL)
        if arrived is not None and StageName.ASSESSMENT in self.stages and self.queue_entry is None:
            return self._route(max(arrived, at))
        return []

    def release(self, at: datetime, officer: str) -> list[Outcome]:
        """Officer release (out of charge)."""
        self._not_released()
        if StageName.ARRIVAL not in self.stages:
            raise InvalidTransition("cannot release before arrival at the entry port")
        if StageName.ASSESSMENT not in self.stages:
            raise InvalidTransition("cannot release an unassessed declaration")
        if StageName.DUTY_PAYMENT not in self.stages:
            raise NotPaid(f"consignment {self.consignment_id}: duties not paid, no release")
        if self.lane in (Lane.YELLOW, Lane.RED) and self.exam_result is not ExamResult.CONFORM:
            raise InvalidTransition(
                f"{self.lane.value} lane: release needs a conform examination result"
                f" (now {self.exam_result.value if self.exam_result else 'none'})"
            )
        if at < self.stages[StageName.ARRIVAL]:
            raise InvalidTransition("release time before arrival")
        return self._release(at, officer, "officer release")

    def hold(self, at: datetime, officer: str, reason: str) -> list[Outcome]:
        self._not_released()
        self.held_reason = reason
        self.queue_entry = None
        self._log(at, "customs", "hold", ref=officer, detail=reason)
        return [Outcome(OutcomeKind.HELD, at, reason, officer)]

    def hold_at_export(self, at: datetime, office: str, reason: str) -> list[Outcome]:
        """The export office stopped goods it had cleared: no release until it lifts the hold."""
        self._not_released()
        self.export_hold = reason or "held by the export office"
        self.queue_entry = None
        self._log(at, "customs", "export_hold", ref=office, detail=reason)
        return [Outcome(OutcomeKind.HELD, at, reason, office)]

    def lift_export_hold(self, at: datetime, office: str) -> list[Outcome]:
        self.export_hold = None
        self._log(at, "customs", "export_hold_lifted", ref=office)
        out = [Outcome(OutcomeKind.STAGE, at, "export_hold_lifted", office)]
        arrived = self.stages.get(StageName.ARRIVAL)
        if arrived is not None and StageName.ASSESSMENT in self.stages:
            out += self._route(max(arrived, at))
        return out

    # ---------------------------------------------------------------- logistics events
    def apply(self, event: GoodsMovement) -> list[Outcome]:
        """Apply a logistics event (or hold it until its predecessors arrive)."""
        if event.event_id in self._seen:
            return [Outcome(OutcomeKind.DUPLICATE, event.event_time, event.biz_step, event.event_id)]
        self._seen.add(event.event_id)
        self._pending.append(event)
        out = self._drain()
        if any(e.event_id == event.event_id for e in self._pending):
            out.insert(
                0, Outcome(OutcomeKind.BUFFERED, event.event_time, self._wait_reason(event), event.event_id)
            )
        return out

    def restore_arrival(self, at: datetime) -> list[Outcome]:
        """The arrival at the entry port as the declaration recorded it earlier (its ordering was
        checked when it was first applied)."""
        return self._apply_now(
            GoodsMovement(f"arrival@{at.isoformat()}", at, BizStep.ARRIVING, self.entry_port)
        )

    def restore_exit(self, at: datetime) -> None:
        self.stages[StageName.EXIT] = at

    def apply_all(self, events: Iterable[GoodsMovement]) -> list[Outcome]:
        out: list[Outcome] = []
        for e in events:
            out += self.apply(e)
        return out

    def force_pending(self) -> list[Outcome]:
        """Apply held events whose predecessor never came (the node calls this after a timeout), in
        eventTime order. An exit reported before customs release stays held."""
        out: list[Outcome] = []
        for ev in sorted(self._pending, key=lambda e: e.event_time):
            if ev in self._pending and not (self._is_exit(ev) and StageName.RELEASE not in self.stages):
                self._pending.remove(ev)
                out += self._apply_now(ev)
                out += self._drain()
        return out

    # ---------------------------------------------------------------- internals
    def _drain(self) -> list[Outcome]:
        out: list[Outcome] = []
        progress = True
        while progress:
            progress = False
            for ev in sorted(self._pending, key=lambda e: e.event_time):
                if self._ready(ev):
                    self._pending.remove(ev)
                    out += self._apply_now(ev)
                    progress = True
                    break
        return out

    def _arrival_at(self, locode: str) -> datetime | None:
        times = [e.event_time for e in self._applied if e.biz_step == BizStep.ARRIVING and e.locode == locode]
        return min(times) if times else None

    def _is_exit(self, ev: GoodsMovement) -> bool:
        return ev.locode == self.entry_port and ev.biz_step in (BizStep.DEPARTING, BizStep.ENTERING_EXITING)

    def _ready(self, ev: GoodsMovement) -> bool:
        return self._wait_reason(ev) == ""

    def _wait_reason(self, ev: GoodsMovement) -> str:
        if ev.biz_step == BizStep.ARRIVING:
            if not any(
                e.biz_step == BizStep.DEPARTING and e.locode != ev.locode and e.event_time < ev.event_time
                for e in self._applied
            ):
                return f"arrival at {ev.locode} held until a departure before it is received"
        elif ev.biz_step == BizStep.UNLOADING:
            if self._arrival_at(ev.locode) is None:
                return f"unloading at {ev.locode} held until the arrival there is received"
        elif self._is_exit(ev):
            arrived = self._arrival_at(ev.locode)
            if arrived is None:
                return f"exit from {ev.locode} held until the arrival there is received"
            if ev.event_time > arrived and StageName.RELEASE not in self.stages:
                return f"exit from {ev.locode} reported before customs release; held until release"
        return ""

    def _apply_now(self, ev: GoodsMovement) -> list[Outcome]:
        self._applied.append(ev)
        self._log(ev.event_time, "logistics", ev.biz_step, locode=ev.locode, ref=ev.event_id)
        out = [Outcome(OutcomeKind.APPLIED, ev.event_time, ev.biz_step, ev.event_id)]
        if (
            ev.biz_step == BizStep.ARRIVING
            and ev.locode == self.entry_port
            and StageName.ARRIVAL not in self.stages
        ):
            out += self._stage(StageName.ARRIVAL, ev.event_time, ref=ev.event_id)
            if StageName.ASSESSMENT in self.stages:
                out += self._route(ev.event_time)
        elif self._is_exit(ev) and StageName.RELEASE in self.stages and StageName.EXIT not in self.stages:
            arrived = self.stages.get(StageName.ARRIVAL)
            if arrived is not None and ev.event_time > arrived:
                out += self._stage(StageName.EXIT, ev.event_time, ref=ev.event_id)
                out.append(Outcome(OutcomeKind.EXITED, ev.event_time, ev.locode, ev.event_id))
        return out

    def _auto_releasable(self) -> bool:
        if StageName.DUTY_PAYMENT not in self.stages or self.status is GoodsStatus.HELD:
            return False
        if self.lane is Lane.GREEN:
            return True
        # yellow or red once the officer found the goods conform: payment is all that was missing
        return self.lane in (Lane.YELLOW, Lane.RED) and self.exam_result is ExamResult.CONFORM

    def _route(self, at: datetime) -> list[Outcome]:
        """After arrival and assessment: release at once, or queue for the officer."""
        if StageName.RELEASE in self.stages or self.status is GoodsStatus.HELD:
            return []
        if self._auto_releasable():
            detail = "pre-cleared, green, paid" if self.pre_cleared else "green lane, paid"
            return self._release(at, AUTOMATED, detail)
        if self.lane is None or self.lane is Lane.GREEN:
            return []  # green, awaiting payment
        due = at + self.lane_sla[self.lane]
        self.queue_entry = QueueEntry(self.consignment_id, self.entry_port, self.lane, at, due)
        self._log(at, "customs", "queued", detail=f"{self.lane.value} lane, due {due.isoformat()}")
        return [Outcome(OutcomeKind.QUEUED, at, f"{self.lane.value} due {due.isoformat()}")]

    def _release(self, at: datetime, who: str, why: str) -> list[Outcome]:
        self.stages[StageName.RELEASE] = at
        self.queue_entry = None
        self.held_reason = self.export_hold = None
        self._log(at, "customs", StageName.RELEASE.value, ref=who, detail=why)
        out = [Outcome(OutcomeKind.RELEASED, at, why, who)]
        return out + self._drain()

    def _stage(
        self, stage: StageName, at: datetime, detail: str = "", ref: str | None = None
    ) -> list[Outcome]:
        self.stages[stage] = at
        self._log(
            at,
            "customs" if stage is not StageName.ARRIVAL else "logistics",
            stage.value,
            ref=ref,
            detail=detail,
        )
        return [Outcome(OutcomeKind.STAGE, at, stage.value, ref)]

    def _log(self, at: datetime, source: str, what: str, *, locode: str | None = None, ref: str | None = None,
             detail: str = "") -> None:  # fmt: skip
        entry = TimelineEntry(at, source, what, locode, ref, detail)
        i = len(self.timeline)
        while i > 0 and self.timeline[i - 1].at > at:
            i -= 1
        self.timeline.insert(i, entry)

    def _once(self, stage: StageName, message: str) -> None:
        if stage in self.stages:
            raise InvalidTransition(message)

    def _need(self, stage: StageName, at: datetime, what: str) -> None:
        prior = self.stages.get(stage)
        if prior is None:
            raise InvalidTransition(f"{what} needs {stage.value} first")
        if at < prior:
            raise InvalidTransition(
                f"{what} at {at.isoformat()} precedes {stage.value} at {prior.isoformat()}"
            )

    def _not_released(self) -> None:
        if StageName.RELEASE in self.stages:
            when = self.stages[StageName.RELEASE].isoformat()
            raise AlreadyReleased(f"consignment {self.consignment_id} already released at {when}")


__all__ = [
    "AUTOMATED",
    "AlreadyReleased",
    "ConsignmentRelease",
    "ExamResult",
    "GoodsStatus",
    "InvalidTransition",
    "NotPaid",
    "Outcome",
    "OutcomeKind",
    "QueueEntry",
    "ReleaseError",
    "TimelineEntry",
]
