"""Sample carrier milestones for a declared consignment, as an EPCIS 2.0 document (sample data)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from corridor.logistics.epcis import make_document, object_event
from corridor.logistics.identifiers import consignment_uri, container_uri, locode_uri
from corridor.shared.cbv import BizStep

MILESTONES = (
    (BizStep.LOADING, "LoadingLocation", timedelta(hours=-6)),
    (BizStep.DEPARTING, "LoadingLocation", timedelta(0)),
    (BizStep.ARRIVING, "UnloadingLocation", None),
    (BizStep.UNLOADING, "UnloadingLocation", timedelta(hours=8)),
    (BizStep.DEPARTING, "UnloadingLocation", timedelta(hours=30)),
)


def milestones(
    declaration: dict[str, Any],
    consignment_ref: str,
    departure: datetime,
    arrival: datetime,
    steps: int = len(MILESTONES),
) -> dict[str, Any]:
    """Loading and departure at the origin port, arrival, unloading and exit at the destination
    port: the first ``steps`` of them, each listing the consignment and its containers."""
    consignment = declaration["Declaration"]["GoodsShipment"]["Consignment"]
    epcs = [consignment_uri(consignment_ref)]
    epcs += [container_uri(e["ID"]) for e in consignment.get("TransportEquipment", [])]
    events = []
    for step, place, offset in MILESTONES[:steps]:
        base = departure if place == "LoadingLocation" else arrival
        at = base + (offset or timedelta(0))
        events.append(
            object_event(
                biz_step=step,
                location_uri=locode_uri(consignment[place]["ID"]),
                epcs=epcs,
                at=at,
                event_id=f"urn:uuid:{_event_uuid(consignment_ref, step, place)}",
            )
        )
    return make_document(events, created=departure).to_epcis()


def _event_uuid(ref: str, step: str, place: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"corridor-sample/{ref}/{step}/{place}"))
