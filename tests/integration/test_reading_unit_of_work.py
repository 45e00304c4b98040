"""A unit of work that only reads (the API key behind each request): it sees what is committed,
cannot commit, and on SQLite neither waits for nor holds up a writer's lock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.service.auth import authenticate, create_api_key

NOW = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
    else:
        made = make_engine(request.getfixturevalue("pg_available"), request.getfixturevalue("pg_schema"))
    migrate(made)
    yield made
    made.dispose()


def test_a_reading_unit_of_work_sees_what_is_committed_and_cannot_commit(engine: Engine) -> None:
    secret = create_api_key(SqlUnitOfWork(engine), "trader", "IN-TRADER-1", "test", NOW)
    assert authenticate(SqlUnitOfWork(engine, read_only=True), secret).party_id == "IN-TRADER-1"
    with SqlUnitOfWork(engine, read_only=True) as reading, pytest.raises(RuntimeError, match="read-only"):
        reading.commit()


def test_on_sqlite_a_reader_does_not_wait_for_a_writer_holding_the_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
    migrate(engine)
    secret = create_api_key(SqlUnitOfWork(engine), "trader", "IN-TRADER-1", "test", NOW)
    found: list[str] = []

    def read() -> None:
        found.append(authenticate(SqlUnitOfWork(engine, read_only=True), secret).party_id)

    with SqlUnitOfWork(engine):  # a writer's transaction: it holds SQLite's write lock
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=5)  # a writer-style BEGIN IMMEDIATE would wait up to the busy timeout
        assert not reader.is_alive() and found == ["IN-TRADER-1"]
    engine.dispose()
