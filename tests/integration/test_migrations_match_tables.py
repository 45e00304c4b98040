"""The Alembic migrations build exactly the tables, columns and indexes the code declares: a
table or index added to the code without its migration (or the reverse) fails here."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from corridor.accounts import tables as account_tables
from corridor.adapters import ledger_tables, tables
from corridor.adapters.database import make_engine, migrate


def declared() -> MetaData:
    everything = MetaData()
    for source in (tables.metadata, ledger_tables.metadata, account_tables.metadata):
        for table in source.tables.values():
            table.to_metadata(everything)
    return everything


def test_a_migrated_database_has_what_the_code_declares(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'node.db'}")
    migrate(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), declared())
    differences = [d for d in differences if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert differences == []
