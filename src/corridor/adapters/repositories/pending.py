"""Rows a transaction writes, sent to the database together: one executemany per statement.

The repositories of one unit of work share a ``PendingWrites``. Inserts that nothing in the same
transaction depends on at once (stages, outbox and inbox rows, container assignments) and the
optimistic updates of declarations wait here and go out in one statement per table before the
transaction reads one of those tables, and before it commits; a relay pass or a receiver batch
thus writes each table once, not once per row. An update queued with ``each_changes_one`` must
change exactly one row per parameter set (``WHERE id = ... AND version = ...``): when fewer rows
changed, someone else changed one of them since it was read, and the flush raises
ConcurrentUpdate (the message bus runs the command again). Such updates go out first, in the
order of the rows they change, so transactions lock those rows in one order. A savepoint that is
rolled back takes back the rows queued inside it (``mark``/``undo``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError, IntegrityError

from corridor.service import ports
from corridor.shared.errors import CorridorError

RowOrder = Callable[[dict[str, Any]], Any]


class PendingWrites:
    def __init__(self, conn: Connection, *, deferred: bool = True) -> None:
        self.conn = conn
        self.deferred = deferred
        self._queued: list[tuple[Executable, dict[str, Any]]] = []
        self._marks: list[list[tuple[Executable, dict[str, Any]]]] = []
        # statements whose row count is checked (kept here, so their ids stay theirs): what they change
        self._counted: dict[int, tuple[Executable, str, RowOrder | None]] = {}

    def add(
        self,
        statement: Executable,
        rows: list[dict[str, Any]],
        *,
        each_changes_one: str = "",
        in_order_of: RowOrder | None = None,
    ) -> None:
        """Queue ``rows`` for ``statement``; ``each_changes_one`` names what each row changes (for
        the ConcurrentUpdate message) when the statement must change one row per parameter set,
        and ``in_order_of`` the order its rows are sent in (else as queued): the rows' keys, so that
        two transactions changing the same rows lock them in the same order and never wait for
        each other the other way round."""
        if not rows:
            return
        if each_changes_one:
            self._counted[id(statement)] = (statement, each_changes_one, in_order_of)
        self._queued.extend((statement, row) for row in rows)
        if not self.deferred:
            self.flush()

    def holds(self, *statements: Executable) -> bool:
        """Whether rows of any of ``statements`` wait to be sent."""
        return any(queued is statement for queued, _ in self._queued for statement in statements)

    def holds_row(self, statement: Executable, column: str, value: object) -> bool:
        """Whether a row of ``statement`` with ``column`` equal to ``value`` waits to be sent."""
        return any(queued is statement and row.get(column) == value for queued, row in self._queued)

    def statements(self) -> int:
        """How many statements a flush would send now."""
        return len({id(statement) for statement, _ in self._queued})

    def flush(self) -> None:
        """Send what is queued: one statement per table, rows in the order they were queued; the
        updates whose row counts are checked first, in their own order (nothing queued depends
        on them)."""
        if not self._queued:
            return
        self.flush_counted()
        self._send(self._take(lambda statement: True))

    def flush_only(self, *statements: Executable) -> None:
        """Send the rows queued for ``statements`` alone (a table about to be written another way:
        its own rows first; the other tables' rows wait for the rest)."""
        ids = {id(s) for s in statements}
        self._send(self._take(lambda statement: id(statement) in ids))

    def flush_counted(self) -> None:
        """Send the updates whose row counts are checked. On PostgreSQL the unit of work sends
        them before the rest goes out in pipeline mode, where a row count is not known."""
        batches = []
        for statement, rows in self._take(lambda statement: id(statement) in self._counted):
            order = self._counted[id(statement)][2]
            batches.append((statement, sorted(rows, key=order) if order else rows))
        self._send(batches)

    def stale_first(self, refusal: BaseException) -> None:
        """A refusal is leaving the transaction or a savepoint: should one of the updates still
        queued have been made from a stale read, the refusal may come from that stale state, so
        ConcurrentUpdate is raised instead (the message bus runs the command again on fresh
        reads; sent here, the updates are undone with the rest)."""
        if isinstance(refusal, CorridorError) and any(id(s) in self._counted for s, _ in self._queued):
            try:
                self.flush_counted()
            except ports.ConcurrentUpdate as stale:
                raise stale from refusal
            except DBAPIError:
                return  # the refusal came with a failed statement: the transaction takes nothing more

    def _take(self, wanted: Callable[[Executable], bool]) -> list[tuple[Executable, list[dict[str, Any]]]]:
        by_statement: dict[int, tuple[Executable, list[dict[str, Any]]]] = {}
        kept: list[tuple[Executable, dict[str, Any]]] = []
        for statement, row in self._queued:
            if wanted(statement):
                by_statement.setdefault(id(statement), (statement, []))[1].append(row)
            else:
                kept.append((statement, row))
        self._queued = kept
        return list(by_statement.values())

    def _send(self, batches: list[tuple[Executable, list[dict[str, Any]]]]) -> None:
        try:
            for statement, rows in batches:
                result = self.conn.execute(statement, rows)
                counted = self._counted.get(id(statement))
                if counted and result.rowcount != len(rows):
                    raise ports.ConcurrentUpdate(
                        f"{len(rows) - result.rowcount} of {len(rows)} {counted[1]} changed since they were read"
                    )
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
