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

    def clear_for_export(self, at: datetime, officer: str | None = None) -> None:
        if self.flow != EXPORT or self.status not in (FILED, UNDER_CONTROL, HELD):
            raise TransitionError(
                f"cannot give a Let Export Order to a {self.flow} declaration that is {self.status}"
            )
        self.status = CLEARED
        self.record("export_clearance", at, **({"officer": officer} if officer else {}))

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

    def hold(self, at: datetime, reason: str, officer: str) -> None:
        if self.status in (RELEASED, REJECTED):
            raise TransitionError(f"cannot hold a declaration that is {self.status}")
        self.status = HELD
        self.record("hold", at, reason=reason, officer=officer)

    def store_ack(self, ack: dict[str, Any], at: datetime) -> None:
        if self.flow != EXPORT:
            raise TransitionError("only an export declaration receives the destination's acknowledgement")
        self.ack = ack
        self.peer_id = ack.get("import_declaration_id")
        self.record("destination_ack", at, status=ack.get("status"), lane=ack.get("lane"))
