"""What a caller may read of the declarations at a node: the list, one declaration and its
timeline, and the officer's queue. Each query takes a unit of work and the caller, applies who may
see what, and returns plain data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Flow, Lane
from corridor.customs.views import consignment_view, view_for
from corridor.service.auth import Principal
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import NotFound

QUEUED = "under_control"
"""The status of a declaration waiting for an officer (yellow and red lanes)."""


def concerns(declaration: CustomsDeclaration, party_id: str) -> bool:
    """Whether the party is one of the declaration's parties (filer, exporter, importer, declarant)."""
    return party_id in (
        declaration.trader_id,
        declaration.exporter_id,
        declaration.importer_id,
        declaration.declarant_id,
    )


def may_see(viewer: Principal, declaration: CustomsDeclaration) -> bool:
    """An officer sees every declaration at the node; a trader only those it is a party to."""
    return viewer.role != "trader" or concerns(declaration, viewer.party_id)


@dataclass(frozen=True, slots=True)
class Seen:
    """A declaration as the viewer may see it, with its customs stages."""

    declaration: CustomsDeclaration
    stages: list[Stage]


def seen(uow: UnitOfWork, viewer: Principal, declaration_id: str) -> Seen:
    """The declaration and its stages; NotFound when it does not exist or the viewer may not see
    it: a trader learns nothing about others' declarations, not even that they exist."""
    with uow:
        declaration = uow.declarations.get(declaration_id)
        stages = uow.declarations.stages(declaration_id) if declaration else []
    if declaration is None or not may_see(viewer, declaration):
        raise NotFound(f"declaration {declaration_id} not found")
    return Seen(declaration, stages)


def declaration(uow: UnitOfWork, viewer: Principal, declaration_id: str) -> dict[str, Any]:
    """One declaration in the viewer's view (risk rules only for officers)."""
    return view_for(viewer.role, seen(uow, viewer, declaration_id).declaration)


def declaration_timeline(uow: UnitOfWork, viewer: Principal, declaration_id: str) -> dict[str, Any]:
    found = seen(uow, viewer, declaration_id)
    return {
        "id": found.declaration.id,
        "status": found.declaration.status,
        "lane": found.declaration.lane,
        "timeline": [s.to_json() for s in found.stages],
    }


def declarations(
    uow: UnitOfWork, viewer: Principal, status: str | None, limit: int, offset: int, lrn: str | None = None
) -> list[dict[str, Any]]:
    """A page of declarations in the viewer's view: a trader's own, or every one for an officer;
    with ``lrn``, those filed under that local reference number (how a client whose filing went
    unanswered finds what it filed)."""
    trader = viewer.party_id if viewer.role == "trader" else None
    with uow:
        found = uow.declarations.query(trader_id=trader, status=status, lrn=lrn, limit=limit, offset=offset)
    return [view_for(viewer.role, d) for d in found]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    id: str
    flow: Flow
    lane: Lane | None
    risk: RiskDecision | None
    due: str | None  # when the officer's decision is due, as recorded when it was queued

    def to_json(self) -> dict[str, Any]:
        risk = None if self.risk is None else self.risk.to_json()
        return {"id": self.id, "flow": self.flow, "lane": self.lane, "risk": risk, "due": self.due}


def officer_queue(uow: UnitOfWork, limit: int) -> list[QueueEntry]:
    """Declarations waiting for an officer, oldest first, each with the due time it was queued with."""
    with uow:
        waiting = uow.declarations.query(status=QUEUED, limit=limit)
        entries = []
        for d in sorted(waiting, key=lambda d: d.created_at or 0):
            queued = [s for s in uow.declarations.stages(d.id) if s.name == "queued"]
            due = queued[-1].detail.get("due") if queued else None
            entries.append(QueueEntry(d.id, d.flow, d.lane, d.risk, None if due is None else str(due)))
    return entries


@dataclass(frozen=True, slots=True)
class DutiesDue:
    """What paying a declaration's duties takes: the importer (the default payer) and the totals."""

    importer_id: str
    totals: list[dict[str, str]]  # [{"value": "123.45", "currencyID": "RUB"}], one per currency


def duties_due(uow: UnitOfWork, declaration_id: str) -> DutiesDue:
    """NotFound when the declaration does not exist here or has no assessed duties."""
    with uow:
        declaration = uow.declarations.get(declaration_id)
    if declaration is None or declaration.assessment is None:
        raise NotFound(f"declaration {declaration_id} has no assessed duties")
    return DutiesDue(declaration.importer_id, [m.to_json() for m in declaration.assessment.payable()])


def consignment_timeline(uow: UnitOfWork, viewer: Principal | None, ref: str) -> dict[str, Any]:
    """NotFound when this node has no declaration of the consignment or the viewer (None: the
    node's operator, who sees everything) may not see it."""
    with uow:
        declaration = uow.declarations.find_by_consignment(ref)
        if declaration is None or (viewer is not None and not may_see(viewer, declaration)):
            raise NotFound(f"consignment {ref} not found")
        stages = uow.declarations.stages(declaration.id)
        events = uow.events.for_consignment(ref)
    return consignment_view(declaration, stages, events)
