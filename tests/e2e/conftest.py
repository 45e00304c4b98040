"""A seeded node per database, shared by the API-wide proofs of a module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import PG_URL, fresh_schema
from tests.e2e.seeded_node import SeededNode, seed


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededNode]:
    """One seeded node per database for a whole module: its tests share (and change) its data."""
    data_dir = tmp_path_factory.mktemp(f"seeded-{request.param}")
    if request.param == "sqlite":
        node = seed(data_dir)
        yield node
        node.close()
        return
    with fresh_schema(request.getfixturevalue("pg_available")) as db_schema:
        node = seed(data_dir, db_url=PG_URL, db_schema=db_schema)
        yield node
        node.close()
