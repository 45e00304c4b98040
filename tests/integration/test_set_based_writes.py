"""A receiver batch writes each table in one statement, not one per message: the export
declarations its acknowledgements answer, and the importers whose filings its pre-arrival
messages count (read ahead together). Counted on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from tests.integration.test_repository_contract import declaration

TRADERS = ["AAACS1234F", "7707083893", "AAACS1234F", "AABCT5555K", "7707083893"]


@contextmanager
def statements(engine: Engine) -> Iterator[Counter[str]]:
    """The statements sent, by their first words (an executemany counts once)."""
    sent: Counter[str] = Counter()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent[" ".join(statement.split()[:3])] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def check_declarations_saved_together(engine: Engine) -> None:
    ids = [f"26IN000000000000{n:02d}" for n in range(5)]
    with SqlUnitOfWork(engine) as u:
        for n, declaration_id in enumerate(ids):
            u.declarations.add(declaration(declaration_id, lrn=f"L{n}"))
        u.commit()
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        for d in u.declarations.get_many(ids):
            d.status = "cleared"
            u.declarations.save(d)
        u.commit()
    assert sent["UPDATE declarations SET"] == 1
    with SqlUnitOfWork(engine) as u:
        assert {(d.status, d.version) for d in u.declarations.get_many(ids)} == {("cleared", 2)}


def check_filings_counted_together(engine: Engine) -> None:
    with statements(engine) as sent, SqlUnitOfWork(engine) as u:
        u.traders.read_ahead(TRADERS)
        before = [u.traders.record_filing(t, "Sample trader", t[:2], False).declarations for t in TRADERS]
        u.commit()
    assert before == [0, 0, 1, 0, 1]
    assert sent["SELECT traders.id, traders.name,"] == 1
    assert sent["INSERT INTO traders"] == 1
    with SqlUnitOfWork(engine) as u:
        assert [u.traders.get(t).declarations for t in dict.fromkeys(TRADERS)] == [2, 2, 1]  # type: ignore[union-attr]


CHECKS: list[Callable[[Engine], None]] = [check_declarations_saved_together, check_filings_counted_together]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_on_sqlite(check: Callable[[Engine], None], tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.sqlite'}")
    migrate(engine)
    check(engine)


@pytest.mark.postgres
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_on_postgresql(check: Callable[[Engine], None], pg_available: str, pg_schema: str) -> None:
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    try:
        check(engine)
    finally:
        engine.dispose()
