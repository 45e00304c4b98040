"""Official figures imported at a node (``corridor stats import``), kept in its database and read
over the figures the package ships."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine, delete, insert, select

from corridor.accounts.tables import official_trade
from corridor.analytics.official import OfficialRow, merged, shipped_rows


def import_rows(engine: Engine, rows: Iterable[OfficialRow], now: datetime) -> int:
    """Store ``rows``, each replacing the one of the same year, direction and chapter, in one
    transaction; the number stored."""
    rows = list(rows)
    c = official_trade.c
    with engine.begin() as conn:
        for row in rows:
            conn.execute(
                delete(official_trade).where(
                    (c.fiscal_year == row.fiscal_year)
                    & (c.direction == row.direction)
                    & (c.hs_chapter == row.hs_chapter)
                )
            )
        if rows:
            conn.execute(
                insert(official_trade),
                [{**row.to_json(), "value_usd_mn": row.value_usd_mn, "imported_at": now} for row in rows],
            )
    return len(rows)


def imported_rows(engine: Engine) -> list[OfficialRow]:
    c = official_trade.c
    with engine.connect() as conn:
        found = conn.execute(select(c.fiscal_year, c.direction, c.hs_chapter, c.value_usd_mn, c.source)).all()
    return [OfficialRow(fy, d, ch, Decimal(str(v)), s) for fy, d, ch, v, s in found]


def official_rows(engine: Engine) -> list[OfficialRow]:
    """The shipped figures, each replaced by a newer import of the same key."""
    return merged(shipped_rows(), imported_rows(engine))
