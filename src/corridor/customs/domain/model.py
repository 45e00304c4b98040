"""The customs declaration as one node holds it, with its lane and its Time Release Study stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

EXPORT, IMPORT = "export", "import"

# Status of a declaration at its node.
FILED = "filed"  # accepted and registered, risk not yet applied
UNDER_CONTROL = "under_control"  # yellow or red: waits for an officer
CLEARED = "cleared"  # export: Let Export Order given, pre-arrival data sent
STOPPED = "stopped"  # export: held after the Let Export Order, before departure; the destination told
PRE_ASSESSED = "pre_assessed"  # import: built from pre-arrival data, duties computed, waits for arrival
RELEASED = "released"
HELD = "held"
REJECTED = "rejected"

GREEN, YELLOW, RED = "green", "yellow", "red"
LANES = (GREEN, YELLOW, RED)

# WCO Time Release Study stages recorded on each declaration.
TRS_STAGES = (
    "lodgement",
    "registration",
    "assessment",
    "examination",
    "export_clearance",
    "prearrival_received",
    "arrival",
    "duty_payment",
    "release",
    "exit",
)


class TransitionError(Exception):
    """A state change that the declaration's status does not allow."""


# What the destination is sent when an export declaration changes.
PREARRIVAL_DATA = "prearrival"  # the declaration itself: once, at the Let Export Order
HOLD_NOTICE = "hold_notice"  # the export office stopped goods it had cleared: do not release them
RELEASE_NOTICE = "release_notice"  # the export office lifted that hold
CLEAR, HOLD = "clear", "hold"


@dataclass(frozen=True, slots=True)
class Transition:
    to: str
    tells_destination: str | None


# An officer's action on an export declaration, by its status: where it leads and what the
# destination is sent. The Let Export Order is given once, so the pre-arrival data leaves once; a
# hold after it is a stop the destination must hear of, and lifting it is a release notice.
EXPORT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (FILED, CLEAR): Transition(CLEARED, PREARRIVAL_DATA),  # green lane
    (UNDER_CONTROL, CLEAR): Transition(CLEARED, PREARRIVAL_DATA),
    (UNDER_CONTROL, HOLD): Transition(HELD, None),
    (HELD, CLEAR): Transition(CLEARED, PREARRIVAL_DATA),
    (CLEARED, HOLD): Transition(STOPPED, HOLD_NOTICE),
    (STOPPED, CLEAR): Transition(CLEARED, RELEASE_NOTICE),
}
# Why the other pairs are refused, where there is more to say than the status.
EXPORT_REFUSALS: dict[tuple[str, str], str] = {
    (CLEARED, CLEAR): "the Let Export Order was given and the pre-arrival data sent; it is not sent twice",
    (HELD, HOLD): "the export declaration is already held",
    (STOPPED, HOLD): "the export declaration is already held and the destination told",
}


@dataclass(slots=True)
class Stage:
    name: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"stage": self.name, "at": self.at.isoformat(), "detail": self.detail}


@dataclass(slots=True)
class CustomsDeclaration:
    id: str
    node: str
    flow: str
    lrn: str
    trader_id: str
    exporter_id: str
    importer_id: str
    document: dict[str, Any]
    status: str = FILED
    declarant_id: str | None = None  # a customs broker filing under the exporter's mandate
    lane: str | None = None
    risk: dict[str, Any] | None = None
    assessment: dict[str, Any] | None = None
    ack: dict[str, Any] | None = None
    peer_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    stages: list[Stage] = field(default_factory=list)
    new_stages: list[Stage] = field(default_factory=list)

    def record(self, name: str, at: datetime, **detail: Any) -> None:
        stage = Stage(name, at, detail)
        self.stages.append(stage)
        self.new_stages.append(stage)
        self.updated_at = at

    def assign_lane(self, lane: str, risk: dict[str, Any], at: datetime) -> None:
        if self.status not in (FILED, PRE_ASSESSED):
            raise TransitionError(f"cannot assess a declaration that is {self.status}")
        if lane not in LANES:
            raise TransitionError(f"unknown lane {lane!r}")
        self.lane = lane
        self.risk = risk
        self.record("assessment", at, lane=lane)

    def clear_for_export(self, at: datetime, officer: str | None = None) -> str | None:
        """Give the Let Export Order, or lift a hold given after it; what the destination is sent."""
        step = self._export_step(CLEAR)
        self.status = step.to
        name = "export_clearance" if step.tells_destination == PREARRIVAL_DATA else "hold_lifted"
        self.record(name, at, **({"officer": officer} if officer else {}))
        return step.tells_destination

    def _export_step(self, action: str) -> Transition:
        if self.flow != EXPORT:
            raise TransitionError(f"cannot {action} a {self.flow} declaration as an export")
        step = EXPORT_TRANSITIONS.get((self.status, action))
        if step is None:
            reason = EXPORT_REFUSALS.get((self.status, action), f"the export declaration is {self.status}")
            raise TransitionError(f"cannot {action}: {reason}")
        return step

    def next_notice(self) -> tuple[str | None, int]:
        """The pre-arrival message the destination holds, and the sequence number of the next hold
        or release notice about it (the destination keeps the highest it has seen)."""
        sent = [s.detail.get("message_id") for s in self.stages if s.name == "prearrival_sent"]
        notices = sum(1 for s in self.stages if s.name == "notice_sent")
        return (sent[-1] if sent else None), notices + 1

    def send_to_officer(self, at: datetime) -> None:
        self.status = UNDER_CONTROL
        self.record("queued", at, lane=self.lane)

    def pre_assess(self, assessment: dict[str, Any], at: datetime) -> None:
        if self.flow != IMPORT:
            raise TransitionError("only an import declaration is pre-assessed")
        self.assessment = assessment
        self.status = PRE_ASSESSED if self.lane == GREEN else UNDER_CONTROL

    def clear_import(self) -> None:
        """The officer's check found nothing: the goods may be released on arrival once paid."""
        if self.flow != IMPORT or self.status not in (UNDER_CONTROL, HELD):
            raise TransitionError(f"cannot clear a {self.flow} declaration that is {self.status}")
        self.status = PRE_ASSESSED

    def hold(
        self, at: datetime, reason: str, officer: str, departed: tuple[str, datetime] | None = None
    ) -> str | None:
        """Hold the goods; for an export, what the destination is sent. ``departed``: where and when
        the goods left the export country, after which the export office cannot hold them."""
        if self.flow == EXPORT:
            step = self._export_step(HOLD)
            if departed is not None and step.tells_destination is not None:
                place, when = departed
                raise TransitionError(
                    f"cannot hold: the goods left {place} at {when.isoformat()}; the destination controls them now"
                )
            self.status = step.to
            self.record("hold", at, reason=reason, officer=officer)
            return step.tells_destination
        if self.status in (RELEASED, REJECTED):
            raise TransitionError(f"cannot hold a declaration that is {self.status}")
        self.status = HELD
        self.record("hold", at, reason=reason, officer=officer)
        return None

    def store_ack(self, ack: dict[str, Any], at: datetime) -> None:
        if self.flow != EXPORT:
            raise TransitionError("only an export declaration receives the destination's acknowledgement")
        self.ack = ack
        self.peer_id = ack.get("import_declaration_id")
        self.record("destination_ack", at, status=ack.get("status"), lane=ack.get("lane"))
