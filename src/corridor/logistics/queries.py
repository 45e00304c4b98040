"""A consignment's timeline as a caller may read it: customs stages at this node and the
consignment's logistics events, in time order."""

from __future__ import annotations

from typing import Any

from corridor.customs.queries import may_see
from corridor.logistics.timeline import consignment_view
from corridor.service.auth import Principal
from corridor.service.ports import UnitOfWork
from corridor.shared.errors import NotFound


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
