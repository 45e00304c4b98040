"""Rows a transaction inserts, sent to the database together: one executemany per statement.

The repositories of one unit of work share a ``PendingWrites``. Inserts that nothing in the same
transaction depends on at once (stages, outbox and inbox rows, container assignments) wait here
and go out in one statement per table before the transaction reads one of those tables, and
before it commits; a relay pass or a receiver batch thus writes each table once, not once per row.
A savepoint that is rolled back takes back the rows queued inside it (``mark``/``undo``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import IntegrityError

from corridor.service import ports


class PendingWrites:
    def __init__(self, conn: Connection, *, deferred: bool = True) -> None:
        self.conn = conn
        self.deferred = deferred
        self._queued: list[tuple[Executable, dict[str, Any]]] = []
        self._marks: list[list[tuple[Executable, dict[str, Any]]]] = []

    def add(self, statement: Executable, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if not self.deferred:
            self._queued.extend((statement, row) for row in rows)
            self.flush()
            return
        self._queued.extend((statement, row) for row in rows)

    def holds(self, statement: Executable) -> bool:
        """Whether rows of ``statement`` wait to be sent."""
        return any(queued is statement for queued, _ in self._queued)

    def statements(self) -> int:
        """How many statements a flush would send now."""
        return len({id(statement) for statement, _ in self._queued})

    def flush(self) -> None:
        """Send what is queued: one statement per table, rows in the order they were queued."""
        if not self._queued:
            return
        by_statement: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        for statement, row in self._queued:
            by_statement.setdefault(id(statement), (statement, []))[1].append(row)
        self._queued = []
        try:
            for statement, rows in by_statement.values():
                self.conn.execute(statement, rows)
        except IntegrityError as exc:
            # a row another transaction committed first (on PostgreSQL, the same inbox message)
            raise ports.CommitConflict(str(exc.orig)) from exc

    def mark(self) -> None:
        """Entering a savepoint: remember what was queued before it."""
        self._marks.append(list(self._queued))

    def release(self) -> None:
        self._marks.pop()

    def undo(self) -> None:
        """The savepoint was rolled back: what was queued before it is queued again (had it been
        sent inside the savepoint, the rollback took it back from the database too); what was
        queued inside it is dropped."""
        self._queued = self._marks.pop()
