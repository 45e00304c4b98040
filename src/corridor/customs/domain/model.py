"""The customs declaration as one node holds it: the aggregate of a consignment's customs state (its
status, lane, risk decision, assessment, stages, and for an import the release at the entry port),
recording the domain events that other capabilities react to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Unpack

from corridor.customs.domain.acknowledgement import Acknowledgement
from corridor.customs.domain.assessment import Assessment
from corridor.customs.domain.export_transitions import (
    CLEAR,
    EXPORT_REFUSALS,
    EXPORT_TRANSITIONS,
    HOLD,
    HOLD_NOTICE,
    PREARRIVAL_DATA,
    RELEASE_NOTICE,
    Transition,
)
from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.release import ConsignmentRelease, ReleaseError
from corridor.customs.domain.release_log import conclude, rehydrate, still_waiting
from corridor.customs.domain.risk.outcome import RiskDecision
from corridor.customs.domain.stage import Stage, StageDetail
from corridor.customs.domain.vocabulary import Flow, Lane, StageName, Status
from corridor.customs.domain.wco import DeclarationDocument
from corridor.customs.events import (
    ArrivalRecorded,
    DeclarationHeld,
    DeclarationRegistered,
    DutiesAssessed,
    DutiesPaid,
    DutiesPaymentRequested,
    ExportCleared,
    LaneAssigned,
    PrearrivalReceived,
    Released,
)
from corridor.shared.cbv import BizStep
from corridor.shared.events import Event
from corridor.shared.money import Money
from corridor.shared.movement import GoodsMovement


class TransitionError(Exception):
    """A state change that the declaration's status does not allow."""


@dataclass(slots=True)
class CustomsDeclaration:
    id: str
    node: str
    flow: Flow
    lrn: str
    trader_id: str
    exporter_id: str
    importer_id: str
    filed: FiledDocument
    status: Status = Status.FILED
    declarant_id: str | None = None  # a customs broker filing under the exporter's mandate
    lane: Lane | None = None
    risk: RiskDecision | None = None
    assessment: Assessment | None = None
    ack: Acknowledgement | None = None
    peer_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    stages: list[Stage] = field(default_factory=list)
    new_stages: list[Stage] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flow = Flow(self.flow)
        self.status = Status(self.status)
        self.lane = None if self.lane is None else Lane(self.lane)

    # ------------------------------------------------------------------ the record
    @property
    def consignment(self) -> str:
        """The corridor-wide consignment reference: the export declaration's id."""
        return self.peer_id if self.flow is Flow.IMPORT and self.peer_id else self.id

    @property
    def document(self) -> DeclarationDocument:
        return self.filed.parsed()

    @property
    def entry_port(self) -> str:
        return self.document.Declaration.GoodsShipment.Consignment.UnloadingLocation.ID

    @property
    def carrier(self) -> str | None:
        """The ID of the consignment's declared Carrier, or None when the declaration names none."""
        carrier = self.document.Declaration.GoodsShipment.Consignment.Carrier
        return None if carrier is None else carrier.ID

    def document_json(self) -> dict[str, Any]:
        """The declaration document as JSON (stored, served, sent in the pre-arrival message)."""
        return self.filed.json()

    def record(self, name: str, at: datetime, **detail: Unpack[StageDetail]) -> None:
        stage = Stage(name, at, detail)
        self.stages.append(stage)
        self.new_stages.append(stage)
        self.updated_at = at

    def has(self, name: StageName) -> bool:
        return any(s.name == name for s in self.stages)

    def stage_times(self, name: StageName) -> list[datetime]:
        return [s.at for s in self.stages if s.name == name]

    def pull_events(self) -> list[Event]:
        events, self.events = self.events, []
        return events

    # ------------------------------------------------------------------ both flows
    def register(self, lodged_at: datetime, at: datetime, containers: tuple[str, ...], loading: str) -> None:
        self.record(StageName.LODGEMENT, lodged_at)
        self.record(StageName.REGISTRATION, at)
        self.events.append(
            DeclarationRegistered(self.id, self.flow, self.consignment, containers, loading, at)
        )

    def assign_lane(self, risk: RiskDecision, at: datetime) -> None:
        if self.status not in (Status.FILED, Status.PRE_ASSESSED):
            raise TransitionError(f"cannot assess a declaration that is {self.status}")
        self.lane = risk.lane
        self.risk = risk
        self.record(StageName.ASSESSMENT, at, lane=self.lane.value)
        self.events.append(LaneAssigned(self.id, self.flow, self.lane, at))

    def send_to_officer(self, at: datetime) -> None:
        self.status = Status.UNDER_CONTROL
        self.record(StageName.QUEUED, at, lane=self.lane)

    def hold(
        self, at: datetime, reason: str, officer: str, departed: tuple[str, datetime] | None = None
    ) -> str | None:
        """Hold the goods; for an export, what the destination is sent. ``departed``: where and when
        the goods left the export country, after which the export office cannot hold them."""
        if self.flow is Flow.EXPORT:
            step = self._export_step(HOLD)
            if departed is not None and step.tells_destination is not None:
                place, when = departed
                raise TransitionError(
                    f"cannot hold: the goods left {place} at {when.isoformat()}; the destination controls them now"
                )
            self.status = step.to
            self.record(StageName.HOLD, at, reason=reason, officer=officer)
            self.events.append(DeclarationHeld(self.id, self.flow, reason, at))
            return step.tells_destination
        if self.status in (Status.RELEASED, Status.REJECTED):
            raise TransitionError(f"cannot hold a declaration that is {self.status}")
        self.status = Status.HELD
        self.record(StageName.HOLD, at, reason=reason, officer=officer)
        self.events.append(DeclarationHeld(self.id, self.flow, reason, at))
        self._drive()
        return None

    # ------------------------------------------------------------------ export
    def clear_for_export(self, at: datetime, officer: str | None = None) -> str | None:
        """Give the Let Export Order, or lift a hold given after it; what the destination is sent."""
        step = self._export_step(CLEAR)
        self.status = step.to
        name = (
            StageName.EXPORT_CLEARANCE if step.tells_destination == PREARRIVAL_DATA else StageName.HOLD_LIFTED
        )
        if officer:
            self.record(name, at, officer=officer)
        else:
            self.record(name, at)
        return step.tells_destination

    def _export_step(self, action: str) -> Transition:
        if self.flow is not Flow.EXPORT:
            raise TransitionError(f"cannot {action} a {self.flow} declaration as an export")
        step = EXPORT_TRANSITIONS.get((self.status, action))
        if step is None:
            reason = EXPORT_REFUSALS.get((self.status, action), f"the export declaration is {self.status}")
            raise TransitionError(f"cannot {action}: {reason}")
        return step

    def next_notice(self) -> tuple[str | None, int]:
        """The pre-arrival message the destination holds, and the sequence number of the next hold
        or release notice about it (the destination keeps the highest it has seen)."""
        sent = [s.detail.get("message_id") for s in self.stages if s.name == StageName.PREARRIVAL_SENT]
        notices = sum(1 for s in self.stages if s.name == StageName.NOTICE_SENT)
        return (sent[-1] if sent else None), notices + 1

    def export_cleared(self, message_id: str, at: datetime) -> None:
        """The pre-arrival data left for the destination with the Let Export Order."""
        self.record(StageName.PREARRIVAL_SENT, at, message_id=message_id)
        declaration = self.document.Declaration
        shipment, invoice = declaration.GoodsShipment, declaration.InvoiceAmount
        self.events.append(
            ExportCleared(
                self.id,
                message_id,
                self.exporter_id,
                self.importer_id,
                Money.of(invoice.value, invoice.currencyID),
                shipment.Invoice.ID,
                "" if shipment.UCR is None else shipment.UCR.ID,
                at,
            )
        )

    def departed(self) -> tuple[str, datetime] | None:
        """Where and when the goods left the export country, as the carrier reported it."""
        left = [(s.at, str(s.detail.get("location"))) for s in self.stages if s.name == StageName.DEPARTURE]
        return (min(left)[1], min(left)[0]) if left else None

    def store_ack(self, ack: Acknowledgement, at: datetime) -> None:
        if self.flow is not Flow.EXPORT:
            raise TransitionError("only an export declaration receives the destination's acknowledgement")
        self.ack = ack
        self.peer_id = ack.import_declaration_id
        lane = None if ack.lane is None else ack.lane.value
        self.record(StageName.DESTINATION_ACK, at, status=ack.status, lane=lane)

    # ------------------------------------------------------------------ import
    def receive_prearrival(self, message_id: str, at: datetime) -> None:
        self.record(StageName.PREARRIVAL_RECEIVED, at, message_id=message_id)
        self.events.append(PrearrivalReceived(self.id, self.consignment, message_id, at))

    def pre_assess(self, assessment: Assessment, at: datetime) -> None:
        if self.flow is not Flow.IMPORT:
            raise TransitionError("only an import declaration is pre-assessed")
        self.assessment = assessment
        self.status = Status.PRE_ASSESSED if self.lane is Lane.GREEN else Status.UNDER_CONTROL
        totals = tuple(assessment.payable())
        self.events.append(DutiesAssessed(self.id, self.consignment, self.importer_id, totals, at))

    def assessed_totals(self) -> dict[str, Money]:
        return {} if self.assessment is None else self.assessment.totals

    def request_payment(self, payer: str, amounts: dict[str, Money], reference: str, at: datetime) -> None:
        """The importer orders payment of exactly the assessed duties and taxes (the caller checked
        the amounts); they are paid when settlement has posted the transfers (``pay``)."""
        self._payable()
        paid = tuple(amounts[c] for c in sorted(amounts))
        self.events.append(DutiesPaymentRequested(self.id, payer, paid, reference, at))

    def _payable(self) -> None:
        if self.flow is not Flow.IMPORT or self.assessment is None:
            raise TransitionError(f"declaration {self.id} has no assessed duties to pay")
        if self.has(StageName.DUTY_PAYMENT):
            raise TransitionError("duties already paid")

    def pay(
        self,
        payer: str,
        amounts: dict[str, Money],
        reference: str,
        at: datetime,
        transfers: tuple[str, ...] = (),
    ) -> None:
        """Record payment of exactly the assessed duties and taxes, posted as ``transfers`` in the
        ledger; a pre-cleared green consignment that has arrived is released at once."""
        self._payable()
        paid = [amounts[c] for c in sorted(amounts)]
        detail: StageDetail = {
            "payer": payer,
            "reference": reference,
            "amounts": [{"value": str(m.amount), "currencyID": m.currency} for m in paid],
        }
        if transfers:
            detail["transfers"] = list(transfers)
        self.record(StageName.DUTY_PAYMENT, at, **detail)
        self.events.append(DutiesPaid(self.id, self.consignment, payer, tuple(paid), reference, at))
        self._drive()

    def examined_conform(self, officer: str, findings: str, at: datetime) -> None:
        """The officer's check found nothing: the goods are released at once when they have
        arrived and are paid, else on arrival once paid."""
        self.record(StageName.EXAMINATION, at, result="conform", officer=officer, findings=findings)
        if self.flow is Flow.EXPORT:
            return
        if self.status not in (Status.UNDER_CONTROL, Status.HELD):
            raise TransitionError(f"cannot clear a {self.flow} declaration that is {self.status}")
        self.status = Status.PRE_ASSESSED
        self._drive()
        if (
            self.status is not Status.RELEASED
            and self.has(StageName.ARRIVAL)
            and self.has(StageName.DUTY_PAYMENT)
        ):
            self.release_by(officer, at)

    def release_by(self, officer: str, at: datetime, reason: str | None = None) -> None:
        """Release by ``officer`` (``reason``: why, when the officer gave the release by hand)."""
        if self.flow is not Flow.IMPORT:
            raise TransitionError("an export declaration is cleared, not released")
        if reason:
            self.record(StageName.RELEASE, at, officer=officer, reason=reason)
        else:
            self.record(StageName.RELEASE, at, officer=officer)
        self._drive()

    def export_office_notice(
        self, held: bool, sequence: int, office: str, reason: str | None, message_id: str, at: datetime
    ) -> str:
        """The export office held goods it had cleared, or lifted that hold; of notices that
        overtake one another only the one with the highest sequence counts. What was decided."""
        seen = [int(s.detail.get("sequence", 0)) for s in self.stages if s.name == StageName.EXPORT_CONTROL]
        if seen and sequence <= max(seen):
            return "superseded by a later notice"
        if self.status is Status.RELEASED:
            return "already released, no effect"
        self.record(
            StageName.EXPORT_CONTROL,
            at,
            held=held,
            sequence=sequence,
            office=office,
            reason=reason,
            message_id=message_id,
        )
        self._drive()
        return "held" if held else "hold lifted"

    def reexamine(self, reason: str, at: datetime) -> None:
        """A document the declaration relies on was revoked: before release (or, for an export,
        before the Let Export Order) it goes to an officer, in the yellow lane at least."""
        open_statuses = (Status.FILED, Status.UNDER_CONTROL, Status.PRE_ASSESSED, Status.HELD)
        if self.status not in open_statuses or self.lane is None:
            return
        self.lane = self.lane.at_least(Lane.YELLOW)
        self.record(StageName.REEXAMINATION, at, lane=self.lane.value, reason=reason)
        self.events.append(LaneAssigned(self.id, self.flow, self.lane, at))
        if self.status in (Status.FILED, Status.PRE_ASSESSED):
            self.status = Status.UNDER_CONTROL
        if self.flow is Flow.IMPORT:
            self._drive()

    def goods_moved(self, movements: tuple[GoodsMovement, ...], at: datetime) -> None:
        """The carrier's reports of the consignment: for an import, arrival at the entry port and
        exit from it drive the release; for an export, the departure from this country is kept."""
        if self.flow is Flow.EXPORT:
            self._note_departure(movements)
            return
        control = self._drive(movements)
        for movement in still_waiting(control, self):
            self.record(
                StageName.EXIT_REPORTED,
                at,
                event_id=movement.event_id,
                event_time=movement.event_time.isoformat(),
                location=movement.locode,
            )

    def _note_departure(self, movements: tuple[GoodsMovement, ...]) -> None:
        if self.departed() is not None:
            return
        left = [m for m in movements if m.biz_step == BizStep.DEPARTING and m.locode.startswith(self.node)]
        if left:
            first = min(left, key=lambda m: m.event_time)
            self.record(StageName.DEPARTURE, first.event_time, location=first.locode, event_id=first.event_id)

    def _drive(self, movements: tuple[GoodsMovement, ...] = ()) -> ConsignmentRelease:
        """Run the import's release state machine over its own record (and new movements); record
        what follows: arrival, release on arrival, queueing with its due time, exit."""
        try:
            control = rehydrate(self, movements)
        except ReleaseError as exc:
            raise TransitionError(str(exc)) from exc
        before = (self.status, self.has(StageName.ARRIVAL))
        conclude(self, control)
        self._tell(before)
        return control

    def _tell(self, before: tuple[Status, bool]) -> None:
        status, had_arrival = before
        arrival = self.stage_times(StageName.ARRIVAL)
        if arrival and not had_arrival:
            self.events.append(ArrivalRecorded(self.id, self.consignment, arrival[0]))
        if self.status is Status.RELEASED and status is not Status.RELEASED:
            release = [s for s in self.stages if s.name == StageName.RELEASE][-1]
            by = str(release.detail.get("officer", ""))
            self.events.append(Released(self.id, self.consignment, by, release.at))


__all__ = [
    "HOLD_NOTICE",
    "PREARRIVAL_DATA",
    "RELEASE_NOTICE",
    "CustomsDeclaration",
    "Stage",
    "TransitionError",
]
