"""What callers see of a declaration: a trader gets its declaration, lane, duties and the
destination's answer; the risk rules that fired stay with customs officers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.service.batch import each
from corridor.service.ports import StoredEvent
from corridor.shared.errors import CorridorError


class DeclarationView(BaseModel):
    id: str
    node: str
    flow: str
    lrn: str
    status: str
    lane: str | None
    assessment: dict[str, Any] | None
    acknowledgement: dict[str, Any] | None
    peer_declaration_id: str | None
    created_at: datetime | None
    declaration: dict[str, Any]

    @classmethod
    def of(cls, d: CustomsDeclaration) -> DeclarationView:
        return cls(
            id=d.id,
            node=d.node,
            flow=d.flow,
            lrn=d.lrn,
            status=d.status,
            lane=d.lane,
            assessment=None if d.assessment is None else d.assessment.to_json(),
            acknowledgement=None if d.ack is None else d.ack.to_json(),
            peer_declaration_id=d.peer_id,
            created_at=d.created_at,
            declaration=d.document_json(),
        )


class OfficerDeclarationView(DeclarationView):
    risk: dict[str, Any] | None

    @classmethod
    def of(cls, d: CustomsDeclaration) -> OfficerDeclarationView:
        return cls(**dict(DeclarationView.of(d)), risk=None if d.risk is None else d.risk.to_json())


def view_for(role: str, declaration: CustomsDeclaration) -> dict[str, Any]:
    chosen = OfficerDeclarationView if role in ("officer", "admin") else DeclarationView
    return chosen.of(declaration).model_dump(mode="json")


def bulk_filing_view(
    outcomes: Sequence[Any],
    role: str,
    refused: Callable[[CorridorError], dict[str, Any]],
    filed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A bulk filing's answer: how many were filed and refused, and each one's outcome in order
    (``filed`` and the declaration as ``role`` sees it, or what ``refused`` says of its error)."""
    results = [
        {
            "index": index,
            **(
                refused(error)
                if error is not None
                else {**(filed or {}), "declaration": view_for(role, declaration)}
            ),
        }
        for index, (declaration, error) in enumerate(each(outcomes))
    ]
    refusals = sum(1 for _, error in each(outcomes) if error is not None)
    return {"filed": len(outcomes) - refusals, "refused": refusals, "results": results}


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
        "consignment": declaration.consignment,
        "declaration_id": declaration.id,
        "flow": declaration.flow,
        "status": declaration.status,
        "lane": declaration.lane,
        "release_hours": None if release_hours is None else round(max(release_hours, 0.0), 3),
        "timeline": entries,
    }
