"""A transaction PostgreSQL fails only to break a deadlock or a lock wait is a ConcurrentUpdate,
which the message bus runs again, not a database error the API would answer 500."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.service.auth import create_api_key
from corridor.service.ports import ConcurrentUpdate

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.postgres
def test_a_lock_another_transaction_holds_makes_the_unit_of_work_ask_for_a_retry(
    pg_available: str, pg_schema: str
) -> None:
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    create_api_key(SqlUnitOfWork(engine), "officer", "IN-OFFICER-1", "test", T0)
    lock = text("SELECT id FROM api_keys FOR UPDATE NOWAIT")
    try:
        with SqlUnitOfWork(engine) as holder:
            assert holder.conn is not None
            holder.conn.execute(lock).all()
            with pytest.raises(ConcurrentUpdate, match="concurrent request"), SqlUnitOfWork(engine) as other:
                assert other.conn is not None
                other.conn.execute(lock).all()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_other_database_errors_are_left_as_they_are(pg_available: str, pg_schema: str) -> None:
    engine = make_engine(pg_available, pg_schema)
    migrate(engine)
    try:
        with pytest.raises(Exception) as raised, SqlUnitOfWork(engine) as uow:
            assert uow.conn is not None
            uow.conn.execute(text("SELECT no_such_column FROM api_keys"))
        assert not isinstance(raised.value, ConcurrentUpdate)
    finally:
        engine.dispose()
