"""PostgreSQL for the benchmarks: reachability and clean-up of the per-run schemas."""

from __future__ import annotations

from sqlalchemy import create_engine, text

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def reachable() -> bool:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # any failure to connect means: not here
        return False


def drop_node_schemas(prefix: str) -> None:
    """Drop the two node schemas ``<prefix>_in`` and ``<prefix>_ru`` of one run."""
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        for country in ("in", "ru"):
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{prefix}_{country}" CASCADE'))
    engine.dispose()
