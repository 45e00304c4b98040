"""Who may read which declaration, and the officer's queue, as the service layer answers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from corridor.adapters.memory import MemoryStore, MemoryUnitOfWork
from corridor.customs import queries
from corridor.customs.domain.filed_document import FiledDocument
from corridor.customs.domain.model import CustomsDeclaration
from corridor.customs.domain.risk import RiskDecision
from corridor.customs.domain.vocabulary import Lane
from corridor.customs.domain.wco import DeclarationDocument
from corridor.customs.queries import consignment_timeline
from corridor.demo.samples import SampleCorridor
from corridor.service.auth import Principal
from corridor.shared.errors import NotFound

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
OFFICER = Principal("k-o", "officer", "O-1")
EXPORTER = Principal("k-e", "trader", "EXP-1")
BROKER = Principal("k-b", "trader", "BRK-1")
STRANGER = Principal("k-s", "trader", "OTHER-9")

RISK = RiskDecision(Lane.RED, (), "test rules")
DOCUMENT = DeclarationDocument.model_validate(SampleCorridor(3).next("IN", datetime(2026, 3, 2, tzinfo=UTC)))


def declaration(id_: str, *, status: str = "filed", created: int = 0) -> CustomsDeclaration:
    d = CustomsDeclaration(
        id=id_,
        node="IN",
        flow="export",
        lrn=f"LRN-{id_}",
        trader_id="EXP-1",
        exporter_id="EXP-1",
        importer_id="IMP-1",
        declarant_id="BRK-1",
        filed=FiledDocument.of(DOCUMENT),
        status=status,
        lane="red" if status == "under_control" else None,
        risk=RISK if status == "under_control" else None,
        created_at=T0 + timedelta(hours=created),
    )
    d.record("filed", T0 + timedelta(hours=created))
    if status == "under_control":
        d.record("queued", T0 + timedelta(hours=created), due=f"due-{id_}")
    return d


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    with MemoryUnitOfWork(store) as uow:
        uow.declarations.add(declaration("D-1"))
        uow.declarations.add(declaration("D-late", status="under_control", created=5))
        uow.declarations.add(declaration("D-early", status="under_control", created=1))
        uow.commit()
    return store


@pytest.mark.parametrize("viewer", [OFFICER, EXPORTER, BROKER], ids=lambda p: p.party_id)
def test_an_officer_and_the_declarations_parties_see_it(store: MemoryStore, viewer: Principal) -> None:
    seen = queries.declaration(MemoryUnitOfWork(store), viewer, "D-1")
    assert seen["id"] == "D-1"
    timeline = queries.declaration_timeline(MemoryUnitOfWork(store), viewer, "D-1")
    assert [s["stage"] for s in timeline["timeline"]] == ["filed"]


def test_another_trader_learns_nothing_not_even_that_it_exists(store: MemoryStore) -> None:
    with pytest.raises(NotFound) as theirs:
        queries.declaration(MemoryUnitOfWork(store), STRANGER, "D-1")
    with pytest.raises(NotFound) as missing:
        queries.declaration(MemoryUnitOfWork(store), STRANGER, "D-none")
    assert str(theirs.value) == "declaration D-1 not found"
    assert str(missing.value) == "declaration D-none not found"
    assert queries.declarations(MemoryUnitOfWork(store), STRANGER, None, 100, 0) == []


def test_only_officers_see_the_risk_rules(store: MemoryStore) -> None:
    assert "risk" in queries.declaration(MemoryUnitOfWork(store), OFFICER, "D-late")
    assert "risk" not in queries.declaration(MemoryUnitOfWork(store), EXPORTER, "D-late")


def test_the_officer_queue_holds_declarations_under_control_oldest_first(store: MemoryStore) -> None:
    entries = queries.officer_queue(MemoryUnitOfWork(store), limit=10)
    assert [e.to_json() for e in entries] == [
        {"id": "D-early", "flow": "export", "lane": "red", "risk": RISK.to_json(), "due": "due-D-early"},
        {"id": "D-late", "flow": "export", "lane": "red", "risk": RISK.to_json(), "due": "due-D-late"},
    ]


def test_duties_due_needs_an_assessment(store: MemoryStore) -> None:
    with pytest.raises(NotFound, match="D-1 has no assessed duties"):
        queries.duties_due(MemoryUnitOfWork(store), "D-1")


def test_a_consignment_timeline_follows_the_declarations_visibility(store: MemoryStore) -> None:
    assert consignment_timeline(MemoryUnitOfWork(store), EXPORTER, "D-1")["timeline"]
    assert consignment_timeline(MemoryUnitOfWork(store), None, "D-1")["timeline"]
    with pytest.raises(NotFound, match="consignment D-1 not found"):
        consignment_timeline(MemoryUnitOfWork(store), STRANGER, "D-1")
