"""Filing in bulk on SQLite and PostgreSQL: a bulk's declarations go out in one INSERT and one
commit; a refused filing (a duplicate LRN found only when its row reaches the database) is
answered alone and leaves the others filed; what the bulk filed is what one-by-one filing files."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from corridor.customs.domain.vocabulary import Status
from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.batch import Refused
from corridor.service.commands import ClearDeclaration, FileDeclaration
from corridor.shared.errors import Conflict
from tests.integration.test_set_based_writes import statements

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def corridor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Corridor]:
    if request.param == "sqlite":
        built = Corridor.embedded(tmp_path)
    else:
        url = request.getfixturevalue("pg_available")
        built = Corridor.embedded(tmp_path, db_url=url, db_schema=request.getfixturevalue("pg_schema"))
    try:
        yield built
    finally:
        built.close()


def documents(n: int) -> list[dict[str, Any]]:
    samples = SampleCorridor(11, traders_per_side=2)
    return [samples.next("IN", NOW) for _ in range(n)]


def stored(corridor: Corridor) -> list[tuple[str, str, str]]:
    with corridor.nodes["IN"].reading() as u:
        return sorted((d.lrn, d.lane or "", d.status) for d in u.declarations.query(limit=100))


def test_a_bulk_sends_its_declarations_in_one_statement(corridor: Corridor) -> None:
    node = corridor.nodes["IN"]
    with statements(node.engine) as sent:
        outcomes = node.handle_many([FileDeclaration(d) for d in documents(6)])
    assert not [o for o in outcomes if isinstance(o, Refused)]
    assert sent["INSERT INTO declarations"] == 1
    assert sent["INSERT INTO outbox"] == 1
    assert len(stored(corridor)) == 6


def test_a_duplicate_lrn_in_a_bulk_is_refused_alone(corridor: Corridor) -> None:
    first, second, third = documents(3)
    node = corridor.nodes["IN"]
    outcomes = node.handle_many(
        [
            FileDeclaration(first),
            FileDeclaration(second),
            FileDeclaration(copy.deepcopy(first)),
            FileDeclaration(third),
        ]
    )
    assert [isinstance(o, Refused) for o in outcomes] == [False, False, True, False]
    refused = outcomes[2]
    assert isinstance(refused, Refused) and isinstance(refused.error, Conflict)
    assert first["Declaration"]["FunctionalReferenceID"] in str(refused.error)
    assert [lrn for lrn, _, _ in stored(corridor)] == sorted(
        d["Declaration"]["FunctionalReferenceID"] for d in (first, second, third)
    )
    [again] = node.handle_many([FileDeclaration(copy.deepcopy(second))])
    assert isinstance(again, Refused) and isinstance(again.error, Conflict)


def test_a_bulk_files_what_one_by_one_filing_files(corridor: Corridor, tmp_path: Path) -> None:
    docs = documents(5)
    corridor.nodes["IN"].handle_many([FileDeclaration(copy.deepcopy(d)) for d in docs])
    alone = Corridor.embedded(tmp_path / "alone")
    try:
        for d in docs:
            alone.nodes["IN"].handle(FileDeclaration(copy.deepcopy(d)))
        assert stored(corridor) == stored(alone)
    finally:
        alone.close()


def test_a_bulk_of_clearances_reads_its_declarations_and_their_stages_once(corridor: Corridor) -> None:
    """The officer's queue cleared in one go: one read of the declarations, one of their stages,
    one versioned UPDATE; each clearance as it would be alone (its stages grow by the decision)."""
    node = corridor.nodes["IN"]
    filed = [
        o
        for o in node.handle_many([FileDeclaration(d) for d in documents(30)])
        if o.status == "under_control"
    ]
    assert len(filed) >= 2, "the sample has yellow or red lanes among 30"
    with statements(node.engine) as sent:
        cleared = node.handle_many([ClearDeclaration(d.id, "OFFICER-1", "goods conform") for d in filed])
    assert {c.status for c in cleared} == {Status.CLEARED}
    assert sent["SELECT declarations.id, declarations.node,"] == 1
    assert sent["SELECT stages.id, stages.declaration_id,"] == 1
    assert sent["UPDATE declarations SET"] == 1
    with node.reading() as u:
        for declaration in cleared:
            names = [s.name for s in u.declarations.stages(declaration.id)]
            assert "export_clearance" in names


def test_stages_read_ahead_are_those_stored_and_a_save_reads_them_afresh(corridor: Corridor) -> None:
    node = corridor.nodes["IN"]
    [declaration] = node.handle_many([FileDeclaration(documents(1)[0])])
    with node.uow() as u:
        alone = u.declarations.stages(declaration.id)
    with node.uow() as u:
        u.declarations.read_ahead_stages([declaration.id, "26IN00000000000404"])
        assert u.declarations.stages(declaration.id) == alone
        assert u.declarations.stages("26IN00000000000404") == []
        d = u.declarations.get(declaration.id)
        assert d is not None
        u.declarations.read_ahead_stages([declaration.id])
        d.record("examination", datetime(2099, 1, 1, tzinfo=UTC), officer="OFFICER-1")
        u.declarations.save(d)
        assert [s.name for s in u.declarations.stages(declaration.id)] == [s.name for s in alone] + [
            "examination"
        ]
