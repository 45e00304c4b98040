"""Tables of web users, their sessions and the official trade series (migration 0009_users)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, Numeric, String, Table, Text

metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("party_id", String(40), nullable=False),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_web_sessions_username", web_sessions.c.username)

official_trade = Table(
    "official_trade",
    metadata,
    Column("fiscal_year", String(7), primary_key=True),
    Column("direction", String(6), primary_key=True),
    Column("hs_chapter", String(5), primary_key=True),
    Column("value_usd_mn", Numeric(18, 3), nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)
