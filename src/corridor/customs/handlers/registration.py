"""What filing an export and receiving pre-arrival data share: the trader's filing count and the
lane from risk and the documents' findings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.wco import CODE_MAX, DeclarationType, PartyType
from corridor.service.context import NodeContext
from corridor.service.ports import Trader, UnitOfWork
from corridor.shared.findings import LaneFinding


def count_filing(uow: UnitOfWork, d: DeclarationType, party: PartyType, role: str, country: str) -> Trader:
    """The trader as it was before this filing; its filing count goes up by one. The trader is an
    AEO when the declaration lists an AEOMutualRecognitionParty in its role."""
    aeo = any(p.RoleCode == role for p in d.GoodsShipment.AEOMutualRecognitionParty)
    return uow.traders.record_filing(party.ID, party.Name, country, aeo)


def read_ahead_traders(documents: Sequence[Any], path: Sequence[str], uow: UnitOfWork) -> None:
    """The traders named at ``path`` in ``documents`` (whose filings a batch will count), read
    together. The documents are not validated yet: whatever is not where a trader's id would be
    is passed over (its filing or message is refused or answered as its handler finds it)."""
    found = []
    for document in documents:
        value = document
        try:
            for key in path:
                value = value[key]
        except (KeyError, TypeError, IndexError):
            continue
        # text the database takes as it is (no NUL, no lone surrogate), as long as a WCO code
        if isinstance(value, str) and 0 < len(value) <= CODE_MAX and value.isprintable():
            found.append(value)
    uow.traders.read_ahead(found)


def register(declaration: CustomsDeclaration, d: DeclarationType, lodged_at: datetime, now: datetime) -> None:
    consignment = d.GoodsShipment.Consignment
    containers = tuple(e.ID for e in consignment.TransportEquipment)
    declaration.register(lodged_at, now, containers, consignment.LoadingLocation.ID)


def check_documents(
    uow: UnitOfWork, ctx: NodeContext, document: dict[str, Any], provided: Any, now: datetime
) -> Sequence[LaneFinding]:
    """The findings of verifying and cross-checking the documents the declaration references."""
    return ctx.desk.check(uow, document, provided, now) if ctx.desk else []


def assess_lane(
    declaration: CustomsDeclaration,
    d: DeclarationType,
    trader: Trader,
    findings: Sequence[LaneFinding],
    ctx: NodeContext,
) -> None:
    """Risk by the node's rules, made stricter by what the referenced documents show."""
    now = ctx.clock()
    risk = ctx.assessor.risk(d, declaration.flow, trader, declaration.id, now).with_findings(findings)
    declaration.assign_lane(risk, now)
