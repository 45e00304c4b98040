"""A consignment's timeline: customs stages and logistics events merged in time order."""

from __future__ import annotations

from typing import Any

from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.service.ports import StoredEvent


def consignment_view(
    declaration: CustomsDeclaration, stages: list[Stage], events: list[StoredEvent]
) -> dict[str, Any]:
    entries: list[dict[str, Any]] = [
        {"at": s.at.isoformat(), "source": "customs", "what": s.name, "detail": s.detail} for s in stages
    ]
    entries += [
        {
            "at": e.event_time.isoformat(),
            "source": "logistics",
            "what": e.biz_step,
            "location": e.locode,
            "containers": list(e.containers),
            "event_id": e.event_id,
        }
        for e in events
    ]
    entries.sort(key=lambda entry: entry["at"])
    arrival = next((s.at for s in stages if s.name == "arrival"), None)
    release = next((s.at for s in stages if s.name == "release"), None)
    release_hours = (release - arrival).total_seconds() / 3600 if arrival and release else None
    return {
        "consignment": declaration.peer_id
        if declaration.flow == "import" and declaration.peer_id
        else declaration.id,
        "declaration_id": declaration.id,
        "flow": declaration.flow,
        "status": declaration.status,
        "lane": declaration.lane,
        "release_hours": None if release_hours is None else round(max(release_hours, 0.0), 3),
        "timeline": entries,
    }
