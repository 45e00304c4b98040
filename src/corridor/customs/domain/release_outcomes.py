"""What the release state machine answers and refuses: outcomes of each step, the officer's queue
entries, the timeline, and the errors of a step the consignment's state does not allow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from corridor.customs.domain.vocabulary import Lane
from corridor.shared.errors import Conflict


class GoodsStatus(StrEnum):
    """Where the goods stand at the entry port, as customs sees them."""

    EXPECTED = "expected"  # not arrived at the entry port
    ARRIVED = "arrived"  # arrived, customs steps outstanding
    QUEUED = "queued"  # in the officer's queue
    HELD = "held"  # officer hold
    RELEASED = "released"
    EXITED = "exited"


class ExamResult(StrEnum):
    CONFORM = "conform"
    NON_CONFORM = "non_conform"


class OutcomeKind(StrEnum):
    APPLIED = "applied"  # logistics event applied to the timeline
    BUFFERED = "buffered"  # held until its predecessor arrives
    DUPLICATE = "duplicate"  # eventID seen before; no effect
    STAGE = "stage"  # a TRS stage was timestamped
    QUEUED = "queued"
    RELEASED = "released"
    HELD = "held"
    EXITED = "exited"


class ReleaseError(Conflict):
    """A command the consignment's state does not allow."""


class NotPaid(ReleaseError):
    pass


class AlreadyReleased(ReleaseError):
    pass


class InvalidTransition(ReleaseError):
    pass


DEFAULT_LANE_SLA: Mapping[Lane, timedelta] = {
    Lane.GREEN: timedelta(hours=0),
    Lane.YELLOW: timedelta(hours=12),
    Lane.RED: timedelta(hours=48),
}
AUTOMATED = "customs-risk-management-system"


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    at: datetime
    detail: str = ""
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class QueueEntry:
    consignment_id: str
    port: str
    lane: Lane
    enqueued_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    source: str  # "logistics" or "customs"
    what: str  # bizStep or TRS stage / officer action
    locode: str | None = None
    ref: str | None = None  # eventID, officer id
    detail: str = ""
