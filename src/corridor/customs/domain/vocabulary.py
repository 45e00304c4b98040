"""The customs vocabularies, defined once: the flow of a declaration, its status at its node, the
risk lane and the stages recorded on it (the WCO Time Release Study stages and the node's own)."""

from __future__ import annotations

from enum import StrEnum


class Flow(StrEnum):
    EXPORT = "export"
    IMPORT = "import"


class Status(StrEnum):
    """Status of a declaration at its node."""

    FILED = "filed"  # accepted and registered, risk not yet applied
    UNDER_CONTROL = "under_control"  # yellow or red: waits for an officer
    CLEARED = "cleared"  # export: Let Export Order given, pre-arrival data sent
    STOPPED = "stopped"  # export: held after the Let Export Order, before departure; the destination told
    PRE_ASSESSED = "pre_assessed"  # import: built from pre-arrival data, duties computed, waits for arrival
    RELEASED = "released"
    HELD = "held"
    REJECTED = "rejected"


class Lane(StrEnum):
    GREEN = "green"  # release without checks
    YELLOW = "yellow"  # documentary check
    RED = "red"  # physical examination

    @property
    def rank(self) -> int:
        return list(Lane).index(self)

    def at_least(self, other: Lane) -> Lane:
        """The more severe of two lanes."""
        return self if self.rank >= other.rank else other


class StageName(StrEnum):
    """What is recorded on a declaration, each with its time. The first ten are the stages of the
    WCO Time Release Study (Guide, version 3, 2018); the others are the node's own records."""

    LODGEMENT = "lodgement"
    REGISTRATION = "registration"
    ASSESSMENT = "assessment"
    EXAMINATION = "examination"
    EXPORT_CLEARANCE = "export_clearance"
    PREARRIVAL_RECEIVED = "prearrival_received"
    ARRIVAL = "arrival"
    DUTY_PAYMENT = "duty_payment"
    RELEASE = "release"
    EXIT = "exit"
    QUEUED = "queued"  # sent to the officer's queue, with its due time
    HOLD = "hold"  # an officer's hold
    HOLD_LIFTED = "hold_lifted"  # export: the hold after the Let Export Order lifted
    PREARRIVAL_SENT = "prearrival_sent"  # export: the pre-arrival message left
    NOTICE_SENT = "notice_sent"  # export: a hold notice or its lifting left
    DESTINATION_ACK = "destination_ack"  # export: the destination's answer
    EXPORT_CONTROL = "export_control"  # import: the export office held the goods or lifted its hold
    EXIT_REPORTED = "exit_reported"  # import: the carrier reported the goods leaving before release
    DEPARTURE = "departure"  # export: the goods left the export country
    REEXAMINATION = "reexamination"  # a document it relies on was revoked


TRS_STAGES = tuple(StageName)[:10]
