"""What logistics tells the other capabilities: the goods' movements as carriers report them. This
module is logistics' published interface; other capabilities import nothing else of it."""

from __future__ import annotations

from dataclasses import dataclass

from corridor.shared.events import Event
from corridor.shared.movement import GoodsMovement


@dataclass(frozen=True, slots=True)
class MovementsRecorded(Event):
    """Every movement known of one consignment, in event-time order, after new ones were accepted
    (or when a new declaration of the consignment asks for what is known)."""

    consignment: str
    movements: tuple[GoodsMovement, ...]
