"""A pooled PostgreSQL connection the server has closed is replaced before a unit of work uses it."""

from __future__ import annotations

from sqlalchemy import text

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork


def test_a_connection_closed_by_the_server_is_replaced_unseen(pg_available: str, pg_schema: str) -> None:
    engine = make_engine(pg_available, pg_schema)
    other = make_engine(pg_available)
    try:
        migrate(engine)
        pids = set()
        for _ in range(3):  # the pool keeps the connection; each unit of work reuses it
            with SqlUnitOfWork(engine) as uow:
                assert uow.outbox.count() == 0
                assert uow.conn is not None
                pids.add(uow.conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert len(pids) == 1
        pid = pids.pop()
        with other.begin() as conn:  # as a server restart does to every connection
            assert conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()
        for _ in range(2):
            with SqlUnitOfWork(engine) as uow:
                assert uow.outbox.count() == 0  # no error: a fresh connection was taken
    finally:
        engine.dispose()
        other.dispose()
