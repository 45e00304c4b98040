"""SQL repositories: map domain objects onto the node's tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, String, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from corridor.adapters import tables as t
from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.documents.issuers import Issuer
from corridor.documents.revocation import RevocationRecord
from corridor.service import ports


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _declaration_row(d: CustomsDeclaration) -> dict[str, Any]:
    return {
        "id": d.id,
        "node": d.node,
        "flow": d.flow,
        "lrn": d.lrn,
        "trader_id": d.trader_id,
        "declarant_id": d.declarant_id,
        "exporter_id": d.exporter_id,
        "importer_id": d.importer_id,
        "status": d.status,
        "lane": d.lane,
        "document": d.document,
        "risk": d.risk,
        "assessment": d.assessment,
        "ack": d.ack,
        "peer_id": d.peer_id,
        "created_at": d.created_at,
        "updated_at": d.updated_at or d.created_at,
    }


def _declaration(row: Any) -> CustomsDeclaration:
    return CustomsDeclaration(
        id=row.id,
        node=row.node,
        flow=row.flow,
        lrn=row.lrn,
        trader_id=row.trader_id,
        declarant_id=row.declarant_id,
        exporter_id=row.exporter_id,
        importer_id=row.importer_id,
        document=row.document,
        status=row.status,
        lane=row.lane,
        risk=row.risk,
        assessment=row.assessment,
        ack=row.ack,
        peer_id=row.peer_id,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        version=row.version,
    )


# Statements are built once with bound parameters so SQLAlchemy compiles and caches them once;
# literal values (large JSON documents) in a statement would be walked for its cache key each time.
SAVE_DECLARATION = (
    update(t.declarations)
    .where(t.declarations.c.id == bindparam("b_id"), t.declarations.c.version == bindparam("b_version"))
    # the filed document never changes after registration, so it is written once, by add()
    .values({c.name: bindparam(c.name) for c in t.declarations.c if c.name not in ("id", "document")})
)
MARK_OUTBOX = (
    update(t.outbox)
    .where(t.outbox.c.message_id == bindparam("b_id"))
    .values(
        status=bindparam("status"),
        attempts=t.outbox.c.attempts + 1,
        last_error=bindparam("last_error"),
        sent_at=func.coalesce(bindparam("sent_at", type_=t.outbox.c.sent_at.type), t.outbox.c.sent_at),
        next_attempt_at=func.coalesce(
            bindparam("next_attempt_at", type_=t.outbox.c.next_attempt_at.type), t.outbox.c.next_attempt_at
        ),
    )
)


def _record_filing(dialect_insert: Any) -> Any:
    return (
        dialect_insert(t.traders)
        .values(
            id=bindparam("id"),
            name=bindparam("name"),
            country=bindparam("country"),
            aeo=bindparam("aeo"),
            declarations=1,
        )
        .on_conflict_do_update(
            index_elements=["id"],
            set_={
                "name": bindparam("name"),
                "aeo": t.traders.c.aeo | bindparam("aeo"),
                "declarations": t.traders.c.declarations + 1,
            },
        )
        .returning(t.traders.c.aeo, t.traders.c.declarations)
    )


RECORD_FILING = {"postgresql": _record_filing(postgresql_insert), "sqlite": _record_filing(sqlite_insert)}
INSERT = {table.name: insert(table) for table in t.metadata.tables.values()}
GET_DECLARATION = select(t.declarations).where(t.declarations.c.id == bindparam("id"))
FIND_BY_LRN = select(t.declarations).where(
    t.declarations.c.flow == bindparam("flow"),
    t.declarations.c.trader_id == bindparam("trader_id"),
    t.declarations.c.lrn == bindparam("lrn"),
)
INBOX_OUTCOME = select(t.inbox.c.outcome).where(t.inbox.c.message_id == bindparam("id"))
EVENTS_EXISTING = select(t.logistics_events.c.event_id).where(
    t.logistics_events.c.event_id.in_(bindparam("ids", expanding=True))
)
EVENTS_OF_CONSIGNMENT = (
    select(t.logistics_events)
    .where(t.logistics_events.c.consignment_ref == bindparam("ref"))
    .order_by(t.logistics_events.c.event_time, t.logistics_events.c.event_id)
)
EVENTS_OF_CONTAINER = (
    select(t.logistics_events)
    .join(
        t.consignment_containers,
        t.consignment_containers.c.consignment_ref == t.logistics_events.c.consignment_ref,
    )
    .where(t.consignment_containers.c.container == bindparam("container"))
    .order_by(t.logistics_events.c.event_time, t.logistics_events.c.event_id)
)
CONTAINER_OWNER = (
    select(t.consignment_containers.c.consignment_ref, t.consignment_containers.c.origin_locode)
    .where(t.consignment_containers.c.container == bindparam("container"))
    .order_by(t.consignment_containers.c.assigned_at.desc())
    .limit(1)
)
ASSIGN_CONTAINER = {
    name: dialect_insert(t.consignment_containers).on_conflict_do_nothing(
        index_elements=["container", "consignment_ref"]
    )
    for name, dialect_insert in (("postgresql", postgresql_insert), ("sqlite", sqlite_insert))
}
BY_CONSIGNMENT = select(t.declarations).where(
    (t.declarations.c.id == bindparam("ref"))
    | ((t.declarations.c.flow == "import") & (t.declarations.c.peer_id == bindparam("ref")))
)
GET_TRADER = select(t.traders).where(t.traders.c.id == bindparam("id"))
UPDATE_TRADER = (
    update(t.traders)
    .where(t.traders.c.id == bindparam("b_id"))
    .values({c.name: bindparam(c.name) for c in t.traders.c if c.name != "id"})
)


class SqlDeclarations(ports.DeclarationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, declaration: CustomsDeclaration) -> None:
        declaration.version = 1
        try:
            self.conn.execute(INSERT["declarations"], {**_declaration_row(declaration), "version": 1})
        except IntegrityError as exc:
            raise ports.CommitConflict(
                f"{declaration.flow} declaration {declaration.lrn!r} of {declaration.trader_id} exists"
            ) from exc
        self._write_stages(declaration)

    def _write_stages(self, declaration: CustomsDeclaration) -> None:
        if declaration.new_stages:
            self.conn.execute(
                INSERT["stages"],
                [
                    {"declaration_id": declaration.id, "stage": s.name, "at": s.at, "detail": s.detail}
                    for s in declaration.new_stages
                ],
            )
            declaration.new_stages.clear()

    def get(self, declaration_id: str) -> CustomsDeclaration | None:
        row = self.conn.execute(GET_DECLARATION, {"id": declaration_id}).first()
        return None if row is None else _declaration(row)

    def save(self, declaration: CustomsDeclaration) -> None:
        row = _declaration_row(declaration)
        del row["document"]
        row["b_id"] = row.pop("id")
        row["b_version"] = declaration.version
        row["version"] = declaration.version + 1
        result = self.conn.execute(SAVE_DECLARATION, row)
        if result.rowcount != 1:
            raise ports.ConcurrentUpdate(f"declaration {declaration.id} changed since it was read")
        declaration.version += 1
        self._write_stages(declaration)

    def find_by_lrn(self, flow: str, trader_id: str, lrn: str) -> CustomsDeclaration | None:
        row = self.conn.execute(FIND_BY_LRN, {"flow": flow, "trader_id": trader_id, "lrn": lrn}).first()
        return None if row is None else _declaration(row)

    def find_by_consignment(self, consignment_ref: str) -> CustomsDeclaration | None:
        row = self.conn.execute(BY_CONSIGNMENT, {"ref": consignment_ref}).first()
        return None if row is None else _declaration(row)

    def query(
        self, *, trader_id: str | None = None, status: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[CustomsDeclaration]:
        c = t.declarations.c
        query = select(t.declarations).order_by(c.created_at.desc(), c.id).limit(limit).offset(offset)
        if trader_id is not None:
            query = query.where((c.trader_id == trader_id) | (c.declarant_id == trader_id))
        if status is not None:
            query = query.where(c.status == status)
        return [_declaration(row) for row in self.conn.execute(query)]

    def stages(self, declaration_id: str) -> list[Stage]:
        c = t.stages.c
        rows = self.conn.execute(
            select(t.stages).where(c.declaration_id == declaration_id).order_by(c.at, c.id)
        )
        return [Stage(row.stage, utc(row.at) or row.at, row.detail) for row in rows]

    def referencing(self, document_hash: str) -> list[CustomsDeclaration]:
        c = t.declarations.c
        text = cast(c.document, String)
        query = select(t.declarations).where(text.contains(document_hash)).order_by(c.created_at, c.id)
        return [_declaration(row) for row in self.conn.execute(query)]

    def summary(self) -> list[dict[str, Any]]:
        c = t.declarations.c
        rows = self.conn.execute(
            select(c.flow, c.lane, c.status, func.count().label("n")).group_by(c.flow, c.lane, c.status)
        )
        return [{"flow": r.flow, "lane": r.lane, "status": r.status, "count": r.n} for r in rows]


def _outbox(row: Any) -> ports.OutboxMessage:
    return ports.OutboxMessage(
        message_id=row.message_id,
        recipient=row.recipient,
        type=row.type,
        envelope=row.envelope,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=utc(row.next_attempt_at),
        created_at=utc(row.created_at),
        last_error=row.last_error,
    )


class SqlOutbox(ports.OutboxRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message: ports.OutboxMessage) -> None:
        self.conn.execute(
            INSERT["outbox"],
            {
                "message_id": message.message_id,
                "recipient": message.recipient,
                "type": message.type,
                "envelope": message.envelope,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": message.created_at,
                "created_at": message.created_at,
                "sent_at": None,
                "last_error": None,
            },
        )

    def due(self, now: datetime, limit: int) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = (
            select(t.outbox)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.created_at, c.message_id)
            .limit(limit)
        )
        return [_outbox(row) for row in self.conn.execute(query)]

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = (
            select(t.outbox)
            .where(c.status == "pending", c.next_attempt_at <= now)
            .order_by(c.created_at, c.message_id)
            .limit(limit)
        )
        if self.conn.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already serialises writers
            query = query.with_for_update(skip_locked=True)
        taken = [_outbox(row) for row in self.conn.execute(query)]
        if taken:
            self.conn.execute(
                update(t.outbox)
                .where(c.message_id.in_([m.message_id for m in taken]))
                .values(next_attempt_at=now + lease)
            )
        return taken

    def with_status(self, *, status: str, limit: int = 100) -> list[ports.OutboxMessage]:
        c = t.outbox.c
        query = select(t.outbox).where(c.status == status).order_by(c.created_at, c.message_id).limit(limit)
        return [_outbox(row) for row in self.conn.execute(query)]

    def _mark(
        self,
        message_id: str,
        status: str,
        error: str | None,
        sent_at: datetime | None,
        next_attempt_at: datetime | None,
    ) -> None:
        self.conn.execute(
            MARK_OUTBOX,
            {
                "b_id": message_id,
                "status": status,
                "last_error": error,
                "sent_at": sent_at,
                "next_attempt_at": next_attempt_at,
            },
        )

    def mark_sent(self, message_ids: list[str], at: datetime) -> None:
        if message_ids:
            self.conn.execute(
                MARK_OUTBOX,
                [
                    {"b_id": i, "status": "sent", "last_error": None, "sent_at": at, "next_attempt_at": None}
                    for i in message_ids
                ],
            )

    def mark_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        self._mark(message_id, "pending", error, None, next_attempt_at)

    def mark_dead(self, message_id: str, error: str) -> None:
        self._mark(message_id, "dead", error, None, None)

    def requeue(self, message_ids: list[str], now: datetime) -> int:
        if not message_ids:
            return 0
        c = t.outbox.c
        result = self.conn.execute(
            update(t.outbox)
            .where(c.message_id.in_(message_ids), c.status == "dead")
            .values(status="pending", next_attempt_at=now, attempts=0)
        )
        return int(result.rowcount)

    def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(t.outbox)
        if status is not None:
            query = query.where(t.outbox.c.status == status)
        return int(self.conn.execute(query).scalar_one())


class SqlInbox(ports.InboxRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def outcome(self, message_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(INBOX_OUTCOME, {"id": message_id}).first()
        return None if row is None else dict(row.outcome)

    def add(self, message_id: str, sender: str, type_: str, at: datetime, outcome: dict[str, Any]) -> None:
        try:
            self.conn.execute(
                INSERT["inbox"],
                {
                    "message_id": message_id,
                    "sender": sender,
                    "type": type_,
                    "received_at": at,
                    "outcome": outcome,
                },
            )
        except IntegrityError as exc:
            raise ports.CommitConflict(f"message {message_id} is already in the inbox") from exc

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.inbox)).scalar_one())


class SqlRejections(ports.RejectionRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, message_id: str | None, sender: str | None, field: str, reason: str, at: datetime) -> None:
        self.conn.execute(
            insert(t.rejections).values(
                message_id=(message_id or "")[:80] or None,
                sender=(sender or "")[:40] or None,
                field=field[:80],
                reason=reason,
                received_at=at,
            )
        )

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        c = t.rejections.c
        rows = self.conn.execute(select(t.rejections).order_by(c.id.desc()).limit(limit))
        return [
            {
                "message_id": r.message_id,
                "sender": r.sender,
                "field": r.field,
                "reason": r.reason,
                "received_at": (utc(r.received_at) or r.received_at).isoformat(),
            }
            for r in rows
        ]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(t.rejections)).scalar_one())


class SqlTraders(ports.TraderRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, trader_id: str) -> ports.Trader | None:
        row = self.conn.execute(GET_TRADER, {"id": trader_id}).first()
        return None if row is None else ports.Trader(row.id, row.name, row.country, row.aeo, row.declarations)

    def upsert(self, trader: ports.Trader) -> None:
        values = {
            "name": trader.name,
            "country": trader.country,
            "aeo": trader.aeo,
            "declarations": trader.declarations,
        }
        result = self.conn.execute(UPDATE_TRADER, {"b_id": trader.id, **values})
        if result.rowcount == 0:
            self.conn.execute(INSERT["traders"], {"id": trader.id, **values})

    def record_filing(self, trader_id: str, name: str, country: str, aeo: bool) -> ports.Trader:
        statement = RECORD_FILING[self.conn.dialect.name]
        row = self.conn.execute(
            statement, {"id": trader_id, "name": name, "country": country, "aeo": aeo}
        ).one()
        # as it was before this filing: one declaration fewer (AEO status, once known, stays)
        return ports.Trader(trader_id, name, country, bool(row.aeo), row.declarations - 1)


class SqlApiKeys(ports.ApiKeyRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, key: ports.ApiKey) -> None:
        self.conn.execute(
            insert(t.api_keys).values(
                id=key.id,
                key_hash=key.key_hash,
                role=key.role,
                party_id=key.party_id,
                label=key.label,
                created_at=key.created_at,
                revoked=key.revoked,
            )
        )

    def by_hash(self, key_hash: str) -> ports.ApiKey | None:
        row = self.conn.execute(select(t.api_keys).where(t.api_keys.c.key_hash == key_hash)).first()
        if row is None:
            return None
        return ports.ApiKey(
            row.id,
            row.key_hash,
            row.role,
            row.party_id,
            row.label,
            utc(row.created_at) or row.created_at,
            row.revoked,
        )


def _event(row: Any) -> ports.StoredEvent:
    return ports.StoredEvent(
        event_id=row.event_id,
        consignment_ref=row.consignment_ref,
        biz_step=row.biz_step,
        locode=row.locode,
        event_time=utc(row.event_time) or row.event_time,
        containers=tuple(row.containers),
        epcis=row.epcis,
        source=row.source,
    )


class SqlEvents(ports.EventRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def existing(self, event_ids: list[str]) -> set[str]:
        if not event_ids:
            return set()
        rows = self.conn.execute(EVENTS_EXISTING, {"ids": list(event_ids)})
        return {r.event_id for r in rows}

    def add_many(self, events: list[ports.StoredEvent], received_at: datetime) -> None:
        if events:
            self.conn.execute(
                INSERT["logistics_events"],
                [
                    {
                        "event_id": e.event_id,
                        "consignment_ref": e.consignment_ref,
                        "biz_step": e.biz_step,
                        "locode": e.locode,
                        "event_time": e.event_time,
                        "containers": list(e.containers),
                        "epcis": e.epcis,
                        "source": e.source,
                        "received_at": received_at,
                    }
                    for e in events
                ],
            )

    def for_consignment(self, consignment_ref: str) -> list[ports.StoredEvent]:
        return [_event(r) for r in self.conn.execute(EVENTS_OF_CONSIGNMENT, {"ref": consignment_ref})]

    def for_container(self, container: str) -> list[ports.StoredEvent]:
        rows = self.conn.execute(EVENTS_OF_CONTAINER, {"container": container})
        return [e for e in map(_event, rows) if container in e.containers]

    def assign(self, consignment_ref: str, containers: list[str], origin_locode: str, at: datetime) -> None:
        if containers:
            self.conn.execute(
                ASSIGN_CONTAINER[self.conn.dialect.name],
                [
                    {
                        "container": c,
                        "consignment_ref": consignment_ref,
                        "origin_locode": origin_locode,
                        "assigned_at": at,
                    }
                    for c in containers
                ],
            )

    def consignment_of(self, container: str) -> tuple[str, str] | None:
        row = self.conn.execute(CONTAINER_OWNER, {"container": container}).first()
        return None if row is None else (row.consignment_ref, row.origin_locode)


DOCUMENTS_BY_HASH = select(t.trade_documents).where(
    t.trade_documents.c.target_hash.in_(bindparam("hashes", expanding=True))
)


def target_hash(document: dict[str, Any]) -> str:
    return str(document["signature"]["targetHash"])


class SqlDocuments(ports.DocumentRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add_many(self, documents: list[dict[str, Any]], at: datetime) -> None:
        known = {target_hash(d) for d in self.get_many([target_hash(d) for d in documents])}
        fresh = {target_hash(d): d for d in documents if target_hash(d) not in known}
        if fresh:
            self.conn.execute(
                INSERT["trade_documents"],
                [
                    {
                        "target_hash": h,
                        "merkle_root": d["signature"]["merkleRoot"],
                        "document": d,
                        "stored_at": at,
                    }
                    for h, d in fresh.items()
                ],
            )

    def get_many(self, target_hashes: list[str]) -> list[dict[str, Any]]:
        if not target_hashes:
            return []
        return [row.document for row in self.conn.execute(DOCUMENTS_BY_HASH, {"hashes": list(target_hashes)})]


MANDATE = select(t.mandates.c.broker_id).where(
    t.mandates.c.broker_id == bindparam("broker"), t.mandates.c.exporter_id == bindparam("exporter")
)


class SqlMandates(ports.MandateRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def grant(self, broker_id: str, exporter_id: str, at: datetime) -> None:
        if not self.exists(broker_id, exporter_id):
            self.conn.execute(
                INSERT["mandates"], {"broker_id": broker_id, "exporter_id": exporter_id, "granted_at": at}
            )

    def exists(self, broker_id: str, exporter_id: str) -> bool:
        return self.conn.execute(MANDATE, {"broker": broker_id, "exporter": exporter_id}).first() is not None


KEY_BY_ID = select(t.trusted_keys).where(t.trusted_keys.c.key_id == bindparam("key_id"))
ACTIVE_KEY = (
    select(t.trusted_keys)
    .where(t.trusted_keys.c.node == bindparam("node"), t.trusted_keys.c.status == "active")
    .order_by(t.trusted_keys.c.created.desc(), t.trusted_keys.c.key_id.desc())
    .limit(1)
)
ALL_KEYS = select(t.trusted_keys).order_by(t.trusted_keys.c.created, t.trusted_keys.c.key_id)
KEY_STATUS = (
    update(t.trusted_keys)
    .where(t.trusted_keys.c.key_id == bindparam("b_key_id"))
    .values(status=bindparam("status"))
)


def _trusted_key(row: Any) -> ports.TrustedKey:
    return ports.TrustedKey(row.key_id, row.node, row.public_key, row.status, row.created)


class SqlKeys(ports.KeyRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, key_id: str) -> ports.TrustedKey | None:
        row = self.conn.execute(KEY_BY_ID, {"key_id": key_id}).first()
        return None if row is None else _trusted_key(row)

    def active(self, node: str) -> ports.TrustedKey | None:
        row = self.conn.execute(ACTIVE_KEY, {"node": node}).first()
        return None if row is None else _trusted_key(row)

    def all(self) -> list[ports.TrustedKey]:
        return [_trusted_key(row) for row in self.conn.execute(ALL_KEYS)]

    def add(self, key: ports.TrustedKey) -> None:
        try:
            self.conn.execute(INSERT["trusted_keys"], key.to_json())
        except IntegrityError as exc:
            raise ports.CommitConflict(f"key {key.key_id} is already in the trust list") from exc

    def set_status(self, key_id: str, status: str) -> None:
        self.conn.execute(KEY_STATUS, {"b_key_id": key_id, "status": status})


ISSUER_BY_ID = select(t.issuers).where(t.issuers.c.id == bindparam("issuer_id"))
ALL_ISSUERS = select(t.issuers).order_by(t.issuers.c.id)
ISSUER_COLUMNS = ("id", "name", "country", "role", "key_id", "public_key", "node", "registered_at")


def _issuer(row: Any) -> Issuer:
    return Issuer(**{c: getattr(row, c) for c in ISSUER_COLUMNS}, active=row.status == "active")


class SqlIssuers(ports.IssuerRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, issuer_id: str) -> Issuer | None:
        row = self.conn.execute(ISSUER_BY_ID, {"issuer_id": issuer_id}).first()
        return None if row is None else _issuer(row)

    def list_issuers(self) -> list[Issuer]:
        return [_issuer(row) for row in self.conn.execute(ALL_ISSUERS)]

    def _insert(self, issuer: Issuer, source: str) -> None:
        row = {c: getattr(issuer, c) for c in ISSUER_COLUMNS}
        row |= {"status": "active" if issuer.active else "inactive", "source": source}
        try:
            with self.conn.begin_nested():
                self.conn.execute(INSERT["issuers"], row)
        except IntegrityError as exc:  # registered by another process meanwhile
            raise ports.CommitConflict(f"issuer {issuer.id} was registered meanwhile") from exc


REVOCATION_BY_HASH = (
    select(t.revocations.c.record)
    .where(
        t.revocations.c.hash.in_(bindparam("hashes", expanding=True)),
        t.revocations.c.issuer_id.in_(bindparam("issuer_ids", expanding=True)),
    )
    .order_by(t.revocations.c.revoked_at, t.revocations.c.issuer_id)
)
REVOCATION_EXISTS = select(t.revocations.c.hash).where(
    t.revocations.c.hash == bindparam("b_hash"), t.revocations.c.issuer_id == bindparam("b_issuer")
)
ALL_REVOCATIONS = select(t.revocations.c.record).order_by(
    t.revocations.c.revoked_at, t.revocations.c.hash, t.revocations.c.issuer_id
)


class SqlRevocations(ports.RevocationRepository):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def find(self, target_hash: str, merkle_root: str, issuer_ids: set[str]) -> RevocationRecord | None:
        if not issuer_ids:
            return None
        rows = self.conn.execute(
            REVOCATION_BY_HASH, {"hashes": [target_hash, merkle_root], "issuer_ids": sorted(issuer_ids)}
        ).all()
        if not rows:
            return None
        records = [RevocationRecord.model_validate(row.record) for row in rows]
        return next((r for r in records if r.hash == target_hash), records[0])

    def add(self, record: RevocationRecord) -> bool:
        if self.conn.execute(
            REVOCATION_EXISTS, {"b_hash": record.hash, "b_issuer": record.issuer_id}
        ).first():
            return False
        row = {
            "hash": record.hash,
            "issuer_id": record.issuer_id,
            "scope": record.kind,
            "reason": record.reason,
            "revoked_at": record.revoked_at,
            "record": record.to_json(),
        }
        try:
            with self.conn.begin_nested():
                self.conn.execute(INSERT["revocations"], row)
        except IntegrityError:  # the same revocation stored by another process meanwhile
            return False
        return True

    def list_records(self) -> list[RevocationRecord]:
        return [RevocationRecord.model_validate(row.record) for row in self.conn.execute(ALL_REVOCATIONS)]
