"""SQLAlchemy Core tables of one node's database; Alembic migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

declarations = Table(
    "declarations",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("node", String(2), nullable=False),
    Column("flow", String(8), nullable=False),
    Column("lrn", String(70), nullable=False),
    Column("trader_id", String(35), nullable=False),
    Column("declarant_id", String(35)),
    Column("exporter_id", String(35), nullable=False),
    Column("importer_id", String(35), nullable=False),
    Column("status", String(20), nullable=False),
    Column("lane", String(8)),
    Column("document", JSON, nullable=False),
    Column("risk", JSON),
    Column("assessment", JSON),
    Column("ack", JSON),
    Column("peer_id", String(40)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    UniqueConstraint("flow", "trader_id", "lrn", name="uq_declarations_flow_trader_lrn"),
)
Index("ix_declarations_trader", declarations.c.trader_id)
Index("ix_declarations_status", declarations.c.status)
Index("ix_declarations_lrn", declarations.c.lrn)
Index("ix_declarations_updated_at", declarations.c.updated_at)  # the dashboard extract reads by it

stages = Table(
    "stages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("declaration_id", String(40), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("detail", JSON, nullable=False),
)
Index("ix_stages_declaration", stages.c.declaration_id)

outbox = Table(
    "outbox",
    metadata,
    Column("message_id", String(40), primary_key=True),
    Column("recipient", String(2), nullable=False),
    Column("type", String(40), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
)
Index("ix_outbox_pending", outbox.c.status, outbox.c.next_attempt_at)

inbox = Table(
    "inbox",
    metadata,
    Column("message_id", String(40), primary_key=True),
    Column("sender", String(2), nullable=False),
    Column("type", String(40), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("outcome", JSON, nullable=False),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(80)),
    Column("sender", String(40)),
    Column("field", String(80), nullable=False),
    Column("reason", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

traders = Table(
    "traders",
    metadata,
    Column("id", String(35), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("aeo", Boolean, nullable=False),
    Column("declarations", Integer, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("party_id", String(40), nullable=False),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False),
)

logistics_events = Table(
    "logistics_events",
    metadata,
    Column("event_id", String(200), primary_key=True),
    Column("consignment_ref", String(40), nullable=False),
    Column("biz_step", String(40), nullable=False),
    Column("locode", String(5), nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("containers", JSON, nullable=False),
    Column("epcis", JSON, nullable=False),
    Column("source", String(10), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
Index("ix_logistics_events_consignment", logistics_events.c.consignment_ref)

consignment_containers = Table(
    "consignment_containers",
    metadata,
    Column("container", String(11), primary_key=True),
    Column("consignment_ref", String(40), primary_key=True),
    Column("origin_locode", String(5), nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
)
Index("ix_consignment_containers_container", consignment_containers.c.container)

trade_documents = Table(
    "trade_documents",
    metadata,
    Column("target_hash", String(64), primary_key=True),
    Column("merkle_root", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)
Index("ix_trade_documents_merkle_root", trade_documents.c.merkle_root)

mandates = Table(
    "mandates",
    metadata,
    Column("broker_id", String(35), primary_key=True),
    Column("exporter_id", String(35), primary_key=True),
    Column("granted_at", DateTime(timezone=True), nullable=False),
)

trusted_keys = Table(
    "trusted_keys",
    metadata,
    Column("key_id", String(100), primary_key=True),
    Column("node", String(8), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    Column("created", String(40), nullable=False),
)

issuers = Table(
    "issuers",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False),
    Column("role", String(80), nullable=False),
    Column("key_id", String(100), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("status", String(8), nullable=False),
    Column("node", String(8)),
    Column("registered_at", String(40), nullable=False),
    Column("source", String(40), nullable=False),
)

revocations = Table(
    "revocations",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("issuer_id", String(200), primary_key=True),
    Column("scope", String(8), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("revoked_at", String(40), nullable=False),
    Column("record", JSON, nullable=False),  # the signed revocation as received
)
