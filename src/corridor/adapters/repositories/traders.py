"""Traders known to the node, with their filing counts, and the mandates they give brokers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from corridor.adapters import tables as t
from corridor.adapters.repositories.common import INSERT
from corridor.service import ports


def _record_filing(dialect_insert: Any) -> Any:
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
        .returning(t.traders.c.aeo, t.traders.c.declarations)
    )


RECORD_FILING = {"postgresql": _record_filing(postgresql_insert), "sqlite": _record_filing(sqlite_insert)}
GET_TRADER = select(t.traders).where(t.traders.c.id == bindparam("id"))
UPDATE_TRADER = (
    update(t.traders)
    .where(t.traders.c.id == bindparam("b_id"))
    .values({c.name: bindparam(c.name) for c in t.traders.c if c.name != "id"})
)
MANDATE = select(t.mandates.c.broker_id).where(
    t.mandates.c.broker_id == bindparam("broker"), t.mandates.c.exporter_id == bindparam("exporter")
)


class SqlTraders(ports.TraderRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, trader_id: str) -> ports.Trader | None:
        row = self.conn.execute(GET_TRADER, {"id": trader_id}).first()
        return None if row is None else ports.Trader(row.id, row.name, row.country, row.aeo, row.declarations)

    def upsert(self, trader: ports.Trader) -> None:
        values = {
            "name": trader.name,
            "country": trader.country,
            "aeo": trader.aeo,
            "declarations": trader.declarations,
        }
        result = self.conn.execute(UPDATE_TRADER, {"b_id": trader.id, **values})
        if result.rowcount == 0:
            self.conn.execute(INSERT["traders"], {"id": trader.id, **values})

    def record_filing(self, trader_id: str, name: str, country: str, aeo: bool) -> ports.Trader:
        statement = RECORD_FILING[self.conn.dialect.name]
        row = self.conn.execute(
            statement, {"id": trader_id, "name": name, "country": country, "aeo": aeo}
        ).one()
        # as it was before this filing: one declaration fewer (AEO status, once known, stays)
        return ports.Trader(trader_id, name, country, bool(row.aeo), row.declarations - 1)


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
