"""A movement of goods as the carrier reported it: the part of an accepted EPCIS event that customs
acts on (which business step, where, when). Logistics publishes them; customs releases on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class GoodsMovement:
    event_id: str
    event_time: datetime
    biz_step: str  # a GS1 CBV business step (``corridor.shared.cbv.BizStep``)
    locode: str  # UN/LOCODE of the place
