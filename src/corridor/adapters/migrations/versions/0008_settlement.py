"""settlement: ledger accounts and transfers, claims, windows, obligations, realisation records

Revision ID: 0008_settlement
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_settlement"
down_revision = "0007"
branch_labels = None
depends_on = None

_NO_OVERDRAFT = "NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted"
_NO_EXCESS = "NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted"
_NON_NEGATIVE = "debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0"


def upgrade() -> None:
    op.create_table(
        "ledger_accounts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ledger", sa.String(3), nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("holder", sa.String(140), nullable=False),
        sa.Column("name", sa.String(140), nullable=False),
        sa.Column("debits_must_not_exceed_credits", sa.Boolean(), nullable=False),
        sa.Column("credits_must_not_exceed_debits", sa.Boolean(), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("iban", sa.String(34)),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("debits_pending", sa.BigInteger(), nullable=False),
        sa.Column("debits_posted", sa.BigInteger(), nullable=False),
        sa.Column("credits_pending", sa.BigInteger(), nullable=False),
        sa.Column("credits_posted", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_NO_OVERDRAFT, name="ck_ledger_accounts_no_overdraft"),
        sa.CheckConstraint(_NO_EXCESS, name="ck_ledger_accounts_no_excess_credit"),
        sa.CheckConstraint(_NON_NEGATIVE, name="ck_ledger_accounts_balances"),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("debit_account_id", sa.String(64), nullable=False),
        sa.Column("credit_account_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("ledger", sa.String(3), nullable=False),
        sa.Column("code", sa.String(140), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("linked", sa.Boolean(), nullable=False),
        sa.Column("pending_id", sa.String(64)),
        sa.Column("timeout_s", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(140), nullable=False),
        sa.Column("fx", sa.JSON()),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(8)),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("amount > 0", name="ck_ledger_transfers_amount"),
        sa.CheckConstraint("debit_account_id <> credit_account_id", name="ck_ledger_transfers_accounts"),
    )
    op.create_index("ix_ledger_transfers_debit", "ledger_transfers", ["debit_account_id", "timestamp"])
    op.create_index("ix_ledger_transfers_credit", "ledger_transfers", ["credit_account_id", "timestamp"])
    op.create_index("ix_ledger_transfers_reference", "ledger_transfers", ["reference"])
    pending = sa.text("state = 'pending'")  # only reservations still open are ever looked up by deadline
    op.create_index(
        "ix_ledger_transfers_due",
        "ledger_transfers",
        ["expires_at"],
        postgresql_where=pending,
        sqlite_where=pending,
    )
    op.create_table(
        "settlement_claims",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("declaration_id", sa.String(40), nullable=False),
        sa.Column("debtor", sa.String(140), nullable=False),
        sa.Column("creditor", sa.String(140), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("ucr", sa.String(70), nullable=False),
        sa.Column("invoice_number", sa.String(70), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_settlement_claims_declaration", "settlement_claims", ["kind", "declaration_id"])
    op.create_table(
        "settlement_windows",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("report", sa.JSON(), nullable=False),
    )
    op.create_table(
        "settlement_obligations",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("window_id", sa.String(40), nullable=False),
        sa.Column("payer", sa.String(64), nullable=False),
        sa.Column("payee", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(140), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name="ck_settlement_obligations_amount"),
    )
    op.create_index("ix_settlement_obligations_window", "settlement_obligations", ["window_id"])
    op.create_table(
        "realisation_records",
        sa.Column("declaration_id", sa.String(40), primary_key=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("realisation_records", "settlement_obligations", "settlement_windows", "settlement_claims"):
        op.drop_table(name)
    op.drop_table("ledger_transfers")
    op.drop_table("ledger_accounts")
