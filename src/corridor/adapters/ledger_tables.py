"""SQLAlchemy Core tables of settlement; migration 0008_settlement creates them. Balances and
amounts are 64-bit integers of minor units; the checks restate the ledger's invariants so the
database refuses what the engine would."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

ledger_accounts = Table(
    "ledger_accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("ledger", String(3), nullable=False),
    Column("code", String(20), nullable=False),
    Column("holder", String(140), nullable=False),
    Column("name", String(140), nullable=False),
    Column("debits_must_not_exceed_credits", Boolean, nullable=False),
    Column("credits_must_not_exceed_debits", Boolean, nullable=False),
    Column("bic", String(11)),
    Column("iban", String(34)),
    Column("sample", Boolean, nullable=False),
    Column("debits_pending", BigInteger, nullable=False),
    Column("debits_posted", BigInteger, nullable=False),
    Column("credits_pending", BigInteger, nullable=False),
    Column("credits_posted", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(
        "NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted",
        name="ck_ledger_accounts_no_overdraft",
    ),
    CheckConstraint(
        "NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted",
        name="ck_ledger_accounts_no_excess_credit",
    ),
    CheckConstraint(
        "debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0",
        name="ck_ledger_accounts_balances",
    ),
)

ledger_transfers = Table(
    "ledger_transfers",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("debit_account_id", String(64), nullable=False),
    Column("credit_account_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("ledger", String(3), nullable=False),
    Column("code", String(140), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("linked", Boolean, nullable=False),
    Column("pending_id", String(64)),
    Column("timeout_s", Integer, nullable=False),
    Column("reference", String(140), nullable=False),
    Column("fx", JSON),
    Column("timestamp", DateTime(timezone=True), nullable=False),
    Column("state", String(8)),  # of a pending transfer: pending, posted, voided, expired
    Column("expires_at", DateTime(timezone=True)),
    CheckConstraint("amount > 0", name="ck_ledger_transfers_amount"),
    CheckConstraint("debit_account_id <> credit_account_id", name="ck_ledger_transfers_accounts"),
)
Index("ix_ledger_transfers_debit", ledger_transfers.c.debit_account_id, ledger_transfers.c.timestamp)
Index("ix_ledger_transfers_credit", ledger_transfers.c.credit_account_id, ledger_transfers.c.timestamp)
Index("ix_ledger_transfers_reference", ledger_transfers.c.reference)
_PENDING = ledger_transfers.c.state == "pending"
Index(
    "ix_ledger_transfers_due", ledger_transfers.c.expires_at, postgresql_where=_PENDING, sqlite_where=_PENDING
)

settlement_claims = Table(
    "settlement_claims",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("declaration_id", String(40), nullable=False),
    Column("debtor", String(140), nullable=False),
    Column("creditor", String(140), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("ucr", String(70), nullable=False),
    Column("invoice_number", String(70), nullable=False),
    Column("details", JSON, nullable=False),
)
Index("ix_settlement_claims_declaration", settlement_claims.c.kind, settlement_claims.c.declaration_id)

settlement_windows = Table(
    "settlement_windows",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("state", String(8), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("report", JSON, nullable=False),
)

settlement_obligations = Table(
    "settlement_obligations",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("window_id", String(40), nullable=False),
    Column("payer", String(64), nullable=False),
    Column("payee", String(64), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reference", String(140), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    CheckConstraint("amount > 0", name="ck_settlement_obligations_amount"),
)
Index("ix_settlement_obligations_window", settlement_obligations.c.window_id)

realisation_records = Table(
    "realisation_records",
    metadata,
    Column("declaration_id", String(40), primary_key=True),
    Column("record", JSON, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
)
