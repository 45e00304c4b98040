"""Traders known to the node, with their filing counts, and the mandates they give brokers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT
from corridor.adapters.repositories.pending import PendingWrites
from corridor.service import ports


def _count_filing(dialect_insert: Any) -> Any:
    return (
        dialect_insert(t.traders)
        .values(
            id=bindparam("id"),
            name=bindparam("name"),
            country=bindparam("country"),
            aeo=bindparam("aeo"),
            declarations=1,
        )
        .on_conflict_do_update(
            index_elements=["id"],
            set_={
                "name": bindparam("name"),
                "aeo": t.traders.c.aeo | bindparam("aeo"),
                "declarations": t.traders.c.declarations + 1,
            },
        )
    )


COUNT_FILING = {"postgresql": _count_filing(postgresql_insert), "sqlite": _count_filing(sqlite_insert)}
RECORD_FILING = {
    name: statement.returning(t.traders.c.aeo, t.traders.c.declarations)
    for name, statement in COUNT_FILING.items()
}
GET_TRADER = select(t.traders).where(t.traders.c.id == bindparam("id"))
# locked on PostgreSQL, in the order of their ids (SQLite has no row locks: its writer holds the file)
GET_TRADERS_FOR_FILING = (
    select(t.traders)
    .where(t.traders.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(t.traders.c.id)
    .with_for_update()
)
# Traders read ahead but not stored yet, locked by their ids in the order of their ids (PostgreSQL
# transaction-level advisory locks): two batches that will insert the same new traders in different
# orders then take turns instead of deadlocking on each other's uncommitted rows.
LOCK_NEW_TRADERS = text(
    "SELECT pg_advisory_xact_lock(k) FROM "
    "(SELECT hashtextextended(id, 0) AS k FROM unnest(CAST(:ids AS text[])) AS id ORDER BY id) AS ordered"
)
UPDATE_TRADER = (
    update(t.traders)
    .where(t.traders.c.id == bindparam("b_id"))
    .values({c.name: bindparam(c.name) for c in t.traders.c if c.name != "id"})
)
MANDATE = select(t.mandates.c.broker_id).where(
    t.mandates.c.broker_id == bindparam("broker"), t.mandates.c.exporter_id == bindparam("exporter")
)


class SqlTraders(ports.TraderRepository):
    """A filing by a trader read ahead in this transaction (a receiver batch reads its importers
    in one statement) is counted with the transaction's other queued writes, one statement for
    the batch; any other filing is counted at once, the row returned as it became. The rows read
    ahead are locked until the commit (on PostgreSQL ``FOR UPDATE``, in the order of their ids;
    on SQLite the writer holds the database), so the counts are exact and a batch takes the
    trader's row before anything else its messages write, as a filing through the API does: the
    two never wait for each other in opposite orders. A trader not stored yet is not read ahead:
    its first filing inserts it at once, for the same reason."""

    def __init__(self, conn: Connection, pending: PendingWrites | None = None) -> None:
        self.conn = conn
        self.pending = pending or PendingWrites(conn, deferred=False)
        self._known: dict[str, ports.Trader] = {}  # as this transaction leaves them

    def get(self, trader_id: str) -> ports.Trader | None:
        self._send_counts()
        row = self.conn.execute(GET_TRADER, {"id": trader_id}).first()
        return None if row is None else _trader(row)

    def upsert(self, trader: ports.Trader) -> None:
        self._send_counts()
        values = {
            "name": trader.name,
            "country": trader.country,
            "aeo": trader.aeo,
            "declarations": trader.declarations,
        }
        result = self.conn.execute(UPDATE_TRADER, {"b_id": trader.id, **values})
        if result.rowcount == 0:
            self.conn.execute(INSERT["traders"], {"id": trader.id, **values})
        self._known.pop(trader.id, None)

    def read_ahead(self, trader_ids: Sequence[str]) -> None:
        ids = [i for i in dict.fromkeys(trader_ids) if i not in self._known]
        if not ids:
            return
        self._send_counts()
        for row in self.conn.execute(GET_TRADERS_FOR_FILING, {"ids": ids}):
            self._known[row.id] = _trader(row)
        new = sorted(i for i in ids if i not in self._known)
        if new and self.conn.dialect.name == "postgresql":
            self.conn.execute(LOCK_NEW_TRADERS, {"ids": new})

    def mark(self) -> dict[str, ports.Trader]:
        """Entering a savepoint: the traders as they stand, for ``undo``."""
        return dict(self._known)

    def undo(self, marked: dict[str, ports.Trader]) -> None:
        """The savepoint was rolled back, and the filings it counted with it."""
        self._known = marked

    def record_filing(self, trader_id: str, name: str, country: str, aeo: bool) -> ports.Trader:
        dialect = self.conn.dialect.name
        params = {"id": trader_id, "name": name, "country": country, "aeo": aeo}
        known = self._known.get(trader_id)
        if known is not None:
            before = ports.Trader(trader_id, name, country, aeo or known.aeo, known.declarations)
            self.pending.add(COUNT_FILING[dialect], [params])
        else:
            self._send_counts()
            row = self.conn.execute(RECORD_FILING[dialect], params).one()
            # as it was before this filing: one declaration fewer (AEO status, once known, stays)
            before = ports.Trader(trader_id, name, country, bool(row.aeo), row.declarations - 1)
        self._known[trader_id] = replace(before, declarations=before.declarations + 1)
        return before

    def _send_counts(self) -> None:
        """Filings counted so far go out before the table is read or written another way."""
        if self.pending.holds(*COUNT_FILING.values()):
            self.pending.flush_only(*COUNT_FILING.values())


def _trader(row: Any) -> ports.Trader:
    return ports.Trader(row.id, row.name, row.country, row.aeo, row.declarations)


class SqlMandates(ports.MandateRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def grant(self, broker_id: str, exporter_id: str, at: datetime) -> None:
        if not self.exists(broker_id, exporter_id):
            self.conn.execute(
                INSERT["mandates"], {"broker_id": broker_id, "exporter_id": exporter_id, "granted_at": at}
            )

    def exists(self, broker_id: str, exporter_id: str) -> bool:
        return self.conn.execute(MANDATE, {"broker": broker_id, "exporter": exporter_id}).first() is not None
