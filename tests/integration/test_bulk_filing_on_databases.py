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

from corridor.demo.run import Corridor
from corridor.demo.samples import SampleCorridor
from corridor.service.batch import Refused
from corridor.service.commands import FileDeclaration
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
