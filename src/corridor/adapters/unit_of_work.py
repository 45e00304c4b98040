"""A unit of work over one database transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from corridor.adapters import repositories as r
from corridor.adapters.ledger import SqlLedger
from corridor.adapters.repositories.pending import PendingWrites
from corridor.adapters.settlement_store import SqlSettlementRecords
from corridor.service.ports import CommitConflict, UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    pending: PendingWrites

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.conn: Connection | None = None

    def __enter__(self) -> Self:
        self.conn = self.engine.connect()
        self.conn.begin()
        self.pending = PendingWrites(self.conn)
        self.declarations = r.SqlDeclarations(self.conn, self.pending)
        self.outbox = r.SqlOutbox(self.conn, self.pending)
        self.inbox = r.SqlInbox(self.conn, self.pending)
        self.rejections = r.SqlRejections(self.conn)
        self.traders = r.SqlTraders(self.conn)
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
        if self.conn is not None:
            self.rollback()
            self.conn.close()
            self.conn = None

    def _commit(self) -> None:
        assert self.conn is not None, "commit outside a unit of work"
        try:
            self.pending.flush()  # raises CommitConflict itself
            self.conn.commit()
        except IntegrityError as exc:
            raise CommitConflict(str(exc.orig)) from exc
        self.ledger.committed()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        assert self.conn is not None, "savepoint outside a unit of work"
        nested = self.conn.begin_nested()
        self.pending.mark()
        try:
            yield
        except BaseException:
            nested.rollback()
            self.pending.undo()
            self.ledger.forget()
            raise
        nested.commit()
        self.pending.release()

    def rollback(self) -> None:
        if self.conn is not None and self.conn.in_transaction():
            self.conn.rollback()
