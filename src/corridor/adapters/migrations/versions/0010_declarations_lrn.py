"""an index on the declarations' local reference number, which a client reads by to find a filing
whose answer it lost (GET /v1/declarations?lrn=...): the unique constraint on (flow, trader, lrn)
cannot serve a look-up by lrn alone

Revision ID: 0010_declarations_lrn
Revises: 0009_users
"""

from alembic import op

revision = "0010_declarations_lrn"
down_revision = "0009_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_declarations_lrn", "declarations", ["lrn"])


def downgrade() -> None:
    op.drop_index("ix_declarations_lrn", table_name="declarations")
