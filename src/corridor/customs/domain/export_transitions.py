"""What an officer's action does to an export declaration, by its status, and what the destination
is sent: the Let Export Order once (with the pre-arrival data), a hold notice for goods stopped
after it, a release notice when that hold is lifted."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.customs.domain.vocabulary import Status

# What the destination is sent when an export declaration changes.
PREARRIVAL_DATA = "prearrival"  # the declaration itself: once, at the Let Export Order
HOLD_NOTICE = "hold_notice"  # the export office stopped goods it had cleared: do not release them
RELEASE_NOTICE = "release_notice"  # the export office lifted that hold
CLEAR, HOLD = "clear", "hold"


@dataclass(frozen=True, slots=True)
class Transition:
    to: Status
    tells_destination: str | None


# An officer's action on an export declaration, by its status: where it leads and what the
# destination is sent. The Let Export Order is given once, so the pre-arrival data leaves once; a
# hold after it is a stop the destination must hear of, and lifting it is a release notice.
EXPORT_TRANSITIONS: dict[tuple[Status, str], Transition] = {
    (Status.FILED, CLEAR): Transition(Status.CLEARED, PREARRIVAL_DATA),  # green lane
    (Status.UNDER_CONTROL, CLEAR): Transition(Status.CLEARED, PREARRIVAL_DATA),
    (Status.UNDER_CONTROL, HOLD): Transition(Status.HELD, None),
    (Status.HELD, CLEAR): Transition(Status.CLEARED, PREARRIVAL_DATA),
    (Status.CLEARED, HOLD): Transition(Status.STOPPED, HOLD_NOTICE),
    (Status.STOPPED, CLEAR): Transition(Status.CLEARED, RELEASE_NOTICE),
}
# Why the other pairs are refused, where there is more to say than the status.
EXPORT_REFUSALS: dict[tuple[Status, str], str] = {
    (
        Status.CLEARED,
        CLEAR,
    ): "the Let Export Order was given and the pre-arrival data sent; it is not sent twice",
    (Status.HELD, HOLD): "the export declaration is already held",
    (Status.STOPPED, HOLD): "the export declaration is already held and the destination told",
}
