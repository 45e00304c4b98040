"""What the SQL repositories share: one INSERT per table, and datetimes read back in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from corridor.adapters import tables as t

# Statements are built once with bound parameters so SQLAlchemy compiles and caches them once;
# literal values (large JSON documents) in a statement would be walked for its cache key each time.
# Inline: nothing is fetched back (no RETURNING of a generated key), so an insert can also wait in
# a PostgreSQL pipeline with the others and the COMMIT (``SqlUnitOfWork._commit``).
INSERT = {table.name: insert(table).inline() for table in t.metadata.tables.values()}


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
