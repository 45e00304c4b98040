"""One record on a declaration's log: a Time Release Study stage or the node's own, with what it
noted. The members of a stage's detail depend on the stage; they are stored and served as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict


class StageDetail(TypedDict, total=False):
    lane: str | None  # assessment, queued, reexamination; destination_ack (None when rejected)
    reason: str | None  # hold, reexamination, export_control (None when a hold is lifted)
    officer: str  # hold, examination, release (``automated`` on arrival), clearance
    findings: str  # examination
    result: str  # examination: conform | non_conform
    status: str  # destination_ack: accepted | rejected
    message_id: str  # prearrival_sent, prearrival_received, export_control, notice_sent
    type: str  # notice_sent: the message type
    sequence: int  # export_control, notice_sent
    held: bool  # export_control
    office: str  # export_control: the export office that sent the notice
    payer: str  # duty_payment
    reference: str  # duty_payment
    amounts: list[dict[str, str]]  # duty_payment: [{"value", "currencyID"}], one per currency
    transfers: list[str]  # duty_payment: the ledger's transfer ids
    event_id: str  # departure, exit_reported
    event_time: str  # exit_reported
    location: str  # departure, exit_reported: UN/LOCODE
    due: str  # queued: when the officer's decision is due
    detail: str  # release: how it came about


def _no_detail() -> StageDetail:
    return {}


@dataclass(slots=True)
class Stage:
    """One record on the declaration's log: a Time Release Study stage or the node's own."""

    name: str
    at: datetime
    detail: StageDetail = field(default_factory=_no_detail)

    def to_json(self) -> dict[str, object]:
        return {"stage": self.name, "at": self.at.isoformat(), "detail": self.detail}
