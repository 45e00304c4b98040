"""web users and their sessions; official trade statistics imported at the node; an index on
the declarations' last change, which the dashboard's incremental extract reads by

Revision ID: 0009_users
Revises: 0008_settlement
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_users"
down_revision = "0008_settlement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("party_id", sa.String(length=40), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])
    op.create_table(
        "official_trade",
        sa.Column("fiscal_year", sa.String(length=7), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("hs_chapter", sa.String(length=5), nullable=False),
        sa.Column("value_usd_mn", sa.Numeric(18, 3), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("fiscal_year", "direction", "hs_chapter"),
    )
    op.create_index("ix_declarations_updated_at", "declarations", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_declarations_updated_at", table_name="declarations")
    op.drop_table("official_trade")
    op.drop_index("ix_web_sessions_username", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
