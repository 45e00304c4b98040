"""declarations in WCO DM 3.x paths

Rewrites every stored declaration document and duty assessment from the shape before the WCO Data
Model 3.x alignment to the new paths (``docs/WCO-DATA-MODEL.md``). Plain Python over the rows, so
the same on SQLite and PostgreSQL; a page of rows at a time; a row already in the new shape is left
as it is, so running it again changes nothing. Signed messages in the outbox are not touched: a
signature covers the bytes as they were, and the receiving node translates the older shape.

Revision ID: 0007
Revises: 0006
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from corridor.customs.legacy import upgrade_assessment, upgrade_declaration

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PAGE = 500

declarations = sa.table(
    "declarations",
    sa.column("id", sa.String),
    sa.column("document", sa.JSON),
    sa.column("assessment", sa.JSON),
)


def _rewrite(connection: Any) -> int:
    changed, last = 0, ""
    while True:
        rows = connection.execute(
            sa.select(declarations.c.id, declarations.c.document, declarations.c.assessment)
            .where(declarations.c.id > last)
            .order_by(declarations.c.id)
            .limit(PAGE)
        ).all()
        if not rows:
            return changed
        for row in rows:
            document = upgrade_declaration(row.document)
            assessment = None if row.assessment is None else upgrade_assessment(row.assessment)
            values = {}
            if document != row.document:
                values["document"] = document
            if assessment != row.assessment:
                values["assessment"] = assessment
            if values:
                connection.execute(
                    sa.update(declarations).where(declarations.c.id == row.id).values(**values)
                )
                changed += 1
        last = rows[-1].id


def upgrade() -> None:
    _rewrite(op.get_bind())


def downgrade() -> None:
    raise RuntimeError(  # irreversible: the old paths are not written back
        "0007 moved stored declarations to WCO DM 3.x paths; restore the database backup taken "
        "before the upgrade to go back"
    )
