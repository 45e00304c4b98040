"""A unit of work over one database transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from corridor.adapters import repositories as r
from corridor.adapters.database import READ_ONLY, gave_way
from corridor.adapters.ledger import SqlLedger
from corridor.adapters.repositories.pending import PendingWrites
from corridor.adapters.settlement_store import SqlSettlementRecords
from corridor.service.ports import CommitConflict, ConcurrentUpdate, UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    pending: PendingWrites
    ledger: SqlLedger
    traders: r.SqlTraders

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        """``read_only``: a unit of work that only reads (an API key, a query) and never commits;
        on SQLite it does not take the write lock every writer waits for."""
        self.engine = engine
        self.read_only = read_only
        self.conn: Connection | None = None

    def __enter__(self) -> Self:
        self.conn = self.engine.connect()
        if self.read_only:
            self.conn.execution_options(**{READ_ONLY: True})
        self.conn.begin()
        self.pending = PendingWrites(self.conn)
        self.declarations = r.SqlDeclarations(self.conn, self.pending)
        self.outbox = r.SqlOutbox(self.conn, self.pending)
        self.inbox = r.SqlInbox(self.conn, self.pending)
        self.rejections = r.SqlRejections(self.conn)
        self.traders = r.SqlTraders(self.conn, self.pending)
        self.api_keys = r.SqlApiKeys(self.conn)
        self.events = r.SqlEvents(self.conn, self.pending)
        self.documents = r.SqlDocuments(self.conn)
        self.mandates = r.SqlMandates(self.conn)
        self.keys = r.SqlKeys(self.conn)
        self.issuers = r.SqlIssuers(self.conn)
        self.revocations = r.SqlRevocations(self.conn)
        self.ledger = SqlLedger(self.conn)
        self.records = SqlSettlementRecords(self.conn, self.pending)
        return self

    def __exit__(self, *args: object) -> None:
        exc = args[1] if len(args) > 1 else None
        try:
            if self.conn is not None and isinstance(exc, BaseException):
                self.pending.stale_first(exc)
        finally:
            if self.conn is not None:
                self.rollback()
                self.conn.close()
                self.conn = None
        if isinstance(exc, BaseException) and gave_way(exc):  # the message bus runs the command again
            raise ConcurrentUpdate(f"a concurrent request held what this one needed: {exc}") from exc

    def _commit(self) -> None:
        assert self.conn is not None, "commit outside a unit of work"
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        if self.conn.dialect.name == "postgresql":
            self.pending.flush_counted()  # their row counts are read before pipeline mode
        driver = self._pipelined()
        try:
            if driver is None:
                self._flush_and_commit()
            else:
                with driver.pipeline():
                    self._flush_and_commit()
        except BaseException as exc:
            if driver is not None:
                self._abandon(driver)
            if isinstance(exc, IntegrityError):
                raise CommitConflict(str(exc.orig)) from exc
            raise
        self.ledger.committed()

    def _flush_and_commit(self) -> None:
        assert self.conn is not None
        self.pending.flush()  # raises CommitConflict itself
        self.conn.commit()

    def flush(self) -> None:
        assert self.conn is not None, "flush outside a unit of work"
        self.pending.flush()

    def _pipelined(self) -> Any:
        """On PostgreSQL the queued inserts and the COMMIT go to the server together (psycopg's
        pipeline mode): one round trip instead of one per statement. The driver's connection, or
        None when there is nothing to send together."""
        assert self.conn is not None
        if self.conn.dialect.name != "postgresql" or not self.pending.statements():
            return None
        return self.conn.connection.driver_connection

    def _abandon(self, driver: Any) -> None:
        """A statement that failed in the pipeline is reported at the commit, which leaves the
        server's transaction aborted while SQLAlchemy holds it for ended: it is rolled back here
        (or the connection dropped), so the pool never hands it out in that state."""
        assert self.conn is not None
        try:
            if not driver.closed and driver.info.transaction_status != TransactionStatus.IDLE:
                driver.rollback()
        except Exception:
            self.conn.invalidate()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        assert self.conn is not None, "savepoint outside a unit of work"
        nested = self.conn.begin_nested()
        self.pending.mark()
        traders = self.traders.mark()
        try:
            yield
            self.pending.flush()  # what was queued goes out inside it, so a conflict is this savepoint's
        except BaseException as exc:
            try:
                self.pending.stale_first(exc)
            finally:
                nested.rollback()
                self.pending.undo()
                self.ledger.forget()
                self.traders.undo(traders)
                self.forget_declarations()
            raise
        nested.commit()
        self.pending.release()

    def rollback(self) -> None:
        if self.conn is not None and self.conn.in_transaction():
            self.conn.rollback()
