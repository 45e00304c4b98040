"""Emitters: the ObjectEvent of a carrier milestone, and the EPCISDocument around events."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from corridor.logistics.epcis.document import EPCISDocument
from corridor.logistics.epcis.event import BizTransaction, ObjectEvent, PlaceRef
from corridor.logistics.epcis.vocabulary import EPCIS_CONTEXT
from corridor.shared.cbv import BizStep


def make_document(
    events: Sequence[ObjectEvent],
    *,
    created: datetime,
    sender: str | None = None,
    receiver: str | None = None,
) -> EPCISDocument:
    """Build an EPCISDocument around events (the emitter)."""
    return EPCISDocument(
        context=EPCIS_CONTEXT,
        creationDate=created,
        sender=sender,
        receiver=receiver,
        events=tuple(events),
    )


def object_event(
    *,
    biz_step: BizStep | str,
    location_uri: str,
    epcs: Sequence[str],
    at: datetime,
    event_id: str | None = None,
    disposition: str | None = None,
    action: Literal["OBSERVE", "ADD", "DELETE"] = "OBSERVE",
    biz_transactions: Sequence[tuple[str, str]] = (),
) -> ObjectEvent:
    """Emitter for a carrier milestone: an ObjectEvent at a location (readPoint = bizLocation).

    ``at`` must be timezone-aware; its UTC offset becomes eventTimeZoneOffset. Without ``event_id`` a
    deterministic ``urn:uuid`` (UUID v5 of the content) is assigned."""
    offset = at.utcoffset()
    if offset is None:
        raise ValueError("event time must be timezone-aware")
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    tz = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    event = ObjectEvent(
        eventID=event_id,
        eventTime=at,
        eventTimeZoneOffset=tz,
        action=action,
        epcList=list(epcs),
        bizStep=str(biz_step),
        disposition=disposition,
        readPoint=PlaceRef(id=location_uri),
        bizLocation=PlaceRef(id=location_uri),
        bizTransactionList=[BizTransaction(type=t, bizTransaction=u) for t, u in biz_transactions] or None,
    )
    return event.with_event_id()
