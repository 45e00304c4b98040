"""Engines for a node's database (SQLite file by default, PostgreSQL for scale) and migrations."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

import psycopg
import pydantic_core
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError

from corridor.adapters.sqlite_writers import WriterTurns
from corridor.shared.private import create_private_file

MIGRATIONS = Path(__file__).with_name("migrations")
PREPARE_THRESHOLD = 1
POOL_SIZE = 10
POOL_OVERFLOW = 10
POOL_RECYCLE_S = 1800
SQLITE_BUSY_S = 30  # how long a writer waits for the others before it gives up


def json_text(value: Any) -> str:
    """JSON columns' text, written by pydantic's serialiser (several times faster than the
    standard library's for the large declaration documents; the same JSON, without spaces)."""
    return pydantic_core.to_json(value).decode("utf-8")


def json_value(text: str | bytes) -> Any:
    return pydantic_core.from_json(text)


JSON_CODEC: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": json_value}


def gave_way(exc: BaseException) -> bool:
    """Whether PostgreSQL failed a statement only to break a deadlock between two transactions (or
    a lock wait it would not make): the request did nothing wrong and runs again."""
    if not isinstance(exc, OperationalError):
        return False
    return isinstance(exc.orig, psycopg.errors.DeadlockDetected | psycopg.errors.LockNotAvailable)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_engine(url: str, schema: str | None = None) -> Engine:
    """An engine for ``url``; for PostgreSQL ``schema`` selects (and creates) a schema of its own."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            create_private_file(Path(parsed.database))  # SQLite gives its -wal and -shm files this mode
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_S}, **JSON_CODEC
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        turns = WriterTurns.for_database(parsed.database, SQLITE_BUSY_S)
        if turns is not None:
            turns.install(engine)
        event.listen(engine, "begin", lambda connection: _sqlite_begin_immediate(connection, turns))
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    # psycopg 3 prepares a statement on the server the second time a connection runs it; every
    # later run sends only the parameters (the repositories' statements are few and built once)
    connect_args: dict[str, Any] = {"prepare_threshold": PREPARE_THRESHOLD}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
        bootstrap = create_engine(url)
        with bootstrap.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        bootstrap.dispose()
    # A unit of work takes a pooled connection per transaction, checked first without a round trip
    # (``_closed_by_server``): after a server restart a stale connection is replaced before use, so
    # no request fails for it. LIFO reuse keeps few connections warm (their prepared statements with
    # them); idle ones beyond that age out.
    engine = create_engine(
        url,
        connect_args=connect_args,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_use_lifo=True,
        pool_recycle=POOL_RECYCLE_S,
        **JSON_CODEC,
    )
    event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection is idle: the server has nothing to say on it, unless it closed it
    (restart, terminated backend: its farewell and the end of the stream wait in the socket). Such
    a connection is refused, and the pool opens a new one (a ping, ``SELECT 1``, would cost a round
    trip per transaction)."""
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise DisconnectionError("this pooled connection is closed")
    if _readable(dbapi_connection.fileno()):
        raise DisconnectionError("the server closed this pooled connection")


def _readable(fd: int) -> bool:
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    readable, _, failed = select.select([fd], [], [fd], 0)
    return bool(readable or failed)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE: a writer takes the lock up front
    # instead of failing to upgrade a read lock when another writer got there first.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
    cursor.close()


#: Execution option of a connection that only reads: on SQLite its transaction begins deferred,
#: so that it never waits for (nor holds up) a writer's lock; WAL gives it a consistent snapshot.
READ_ONLY = "corridor_read_only"


def _sqlite_begin_immediate(connection: Any, turns: WriterTurns | None) -> None:
    reading = connection.get_execution_options().get(READ_ONLY, False)
    if not reading and turns is not None:
        turns.take(connection)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
