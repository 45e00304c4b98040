"""Alembic environment: runs on the connection handed over by ``corridor.adapters.database``."""

from __future__ import annotations

from alembic import context

from corridor.adapters.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through corridor.adapters.database.migrate(engine)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
