"""In-memory adapters: the fakes for fast tests, held to the same contract as the SQL ones."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Self

from corridor.adapters import settlement_memory as settlement
from corridor.adapters.memory_trust import MemoryIssuers, MemoryKeys, MemoryRevocations
from corridor.customs.domain.model import CustomsDeclaration, Stage
from corridor.documents.issuers import Issuer
from corridor.documents.revocation import RevocationRecord
from corridor.service import ports


class MemoryStore:
    """The 'database' shared by every unit of work made from it."""

    def __init__(self) -> None:
        self.declarations: dict[str, CustomsDeclaration] = {}
        self.stages: dict[str, list[Stage]] = {}
        self.outbox: dict[str, ports.OutboxMessage] = {}
        self.inbox: dict[str, dict[str, Any]] = {}
        self.rejections: list[dict[str, Any]] = []
        self.traders: dict[str, ports.Trader] = {}
        self.api_keys: dict[str, ports.ApiKey] = {}
        self.events: dict[str, ports.StoredEvent] = {}
        self.containers: list[tuple[str, str, str, datetime]] = []
        self.documents: dict[str, dict[str, Any]] = {}
        self.mandates: set[tuple[str, str]] = set()
        self.keys: dict[str, ports.TrustedKey] = {}
        self.issuers: dict[str, tuple[Issuer, str]] = {}
        self.revocations: dict[tuple[str, str], RevocationRecord] = {}
        self.settlement = settlement.SettlementState()


def _stored(declaration: CustomsDeclaration) -> CustomsDeclaration:
    """The copy kept: its events belong to the transaction that recorded them, not to the store."""
    stored = copy.copy(declaration)
    stored.events = []
    return copy.deepcopy(stored)


class MemoryDeclarations(ports.DeclarationRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, declaration: CustomsDeclaration) -> None:
        if declaration.id in self.store.declarations or self.find_by_lrn(
            declaration.flow, declaration.trader_id, declaration.lrn
        ):
            raise ports.CommitConflict(f"declaration {declaration.id} exists")
        declaration.version = 1
        self._stages(declaration)
        self.store.declarations[declaration.id] = _stored(declaration)

    def _stages(self, declaration: CustomsDeclaration) -> None:
        self.store.stages.setdefault(declaration.id, []).extend(declaration.new_stages)
        declaration.new_stages.clear()

    def get(self, declaration_id: str) -> CustomsDeclaration | None:
        found = self.store.declarations.get(declaration_id)
        return None if found is None else copy.deepcopy(found)

    def save(self, declaration: CustomsDeclaration) -> None:
        current = self.store.declarations.get(declaration.id)
        if current is None or current.version != declaration.version:
            raise ports.ConcurrentUpdate(f"declaration {declaration.id} changed since it was read")
        declaration.version += 1
        self._stages(declaration)
        self.store.declarations[declaration.id] = _stored(declaration)

    def referencing(self, document_hash: str) -> list[CustomsDeclaration]:
        return [
            copy.deepcopy(d)
            for d in self.store.declarations.values()
            if document_hash in json.dumps(d.document_json())
        ]

    def find_by_lrn(self, flow: str, trader_id: str, lrn: str) -> CustomsDeclaration | None:
        for d in self.store.declarations.values():
            if (d.flow, d.trader_id, d.lrn) == (flow, trader_id, lrn):
                return copy.deepcopy(d)
        return None

    def find_by_consignment(self, consignment_ref: str) -> CustomsDeclaration | None:
        for d in self.store.declarations.values():
            if d.id == consignment_ref or (d.flow == "import" and d.peer_id == consignment_ref):
                return copy.deepcopy(d)
        return None

    def query(
        self,
        *,
        trader_id: str | None = None,
        status: str | None = None,
        lrn: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CustomsDeclaration]:
        found = [
            d
            for d in self.store.declarations.values()
            if (trader_id is None or trader_id in (d.trader_id, d.declarant_id))
            and (status is None or d.status == status)
            and (lrn is None or d.lrn == lrn)
        ]
        found.sort(key=lambda d: (-(d.created_at.timestamp() if d.created_at else 0), d.id))
        return [copy.deepcopy(d) for d in found[offset : offset + limit]]

    def stages(self, declaration_id: str) -> list[Stage]:
        return sorted(self.store.stages.get(declaration_id, []), key=lambda s: s.at)

    def summary(self) -> list[dict[str, Any]]:
        counts = Counter((d.flow, d.lane, d.status) for d in self.store.declarations.values())
        return [{"flow": f, "lane": lane, "status": s, "count": n} for (f, lane, s), n in counts.items()]


class MemoryOutbox(ports.OutboxRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, message: ports.OutboxMessage) -> None:
        self.store.outbox[message.message_id] = replace(
            message, status="pending", attempts=0, next_attempt_at=message.created_at
        )

    def due(self, now: datetime, limit: int) -> list[ports.OutboxMessage]:
        pending = [
            m
            for m in self.store.outbox.values()
            if m.status == "pending" and m.next_attempt_at is not None and m.next_attempt_at <= now
        ]
        pending.sort(key=lambda m: (m.created_at or now, m.message_id))
        return pending[:limit]

    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[ports.OutboxMessage]:
        taken = self.due(now, limit)
        for message in taken:
            self.store.outbox[message.message_id] = replace(message, next_attempt_at=now + lease)
        return taken

    def with_status(self, *, status: str, limit: int = 100) -> list[ports.OutboxMessage]:
        return [m for m in self.store.outbox.values() if m.status == status][:limit]

    def _update(self, message_id: str, **changes: Any) -> None:
        current = self.store.outbox[message_id]
        self.store.outbox[message_id] = replace(current, attempts=current.attempts + 1, **changes)

    def mark_sent(self, message_ids: list[str], at: datetime) -> None:
        for message_id in message_ids:
            self._update(message_id, status="sent", last_error=None)

    def mark_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None:
        self._update(message_id, last_error=error, next_attempt_at=next_attempt_at)

    def mark_dead(self, message_id: str, error: str) -> None:
        self._update(message_id, status="dead", last_error=error)

    def requeue(self, message_ids: list[str], now: datetime) -> int:
        moved = 0
        for message_id in message_ids:
            current = self.store.outbox.get(message_id)
            if current is not None and current.status == "dead":
                self.store.outbox[message_id] = replace(
                    current, status="pending", next_attempt_at=now, attempts=0
                )
                moved += 1
        return moved

    def count(self, status: str | None = None) -> int:
        return sum(1 for m in self.store.outbox.values() if status is None or m.status == status)


class MemoryInbox(ports.InboxRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def outcome(self, message_id: str) -> dict[str, Any] | None:
        found = self.store.inbox.get(message_id)
        return None if found is None else dict(found["outcome"])

    def add(self, message_id: str, sender: str, type_: str, at: datetime, outcome: dict[str, Any]) -> None:
        if message_id in self.store.inbox:
            raise ports.CommitConflict(f"message {message_id} is already in the inbox")
        self.store.inbox[message_id] = {"sender": sender, "type": type_, "at": at, "outcome": outcome}

    def count(self) -> int:
        return len(self.store.inbox)


class MemoryRejections(ports.RejectionRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, message_id: str | None, sender: str | None, field: str, reason: str, at: datetime) -> None:
        self.store.rejections.append(
            {
                "message_id": message_id,
                "sender": sender,
                "field": field,
                "reason": reason,
                "received_at": at.isoformat(),
            }
        )

    def recent(self, limit: int = 100) -> list[dict[str, Any]]:
        return list(reversed(self.store.rejections))[:limit]

    def count(self) -> int:
        return len(self.store.rejections)


class MemoryTraders(ports.TraderRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def get(self, trader_id: str) -> ports.Trader | None:
        return self.store.traders.get(trader_id)

    def upsert(self, trader: ports.Trader) -> None:
        self.store.traders[trader.id] = trader

    def record_filing(self, trader_id: str, name: str, country: str, aeo: bool) -> ports.Trader:
        before = self.store.traders.get(trader_id)
        count = before.declarations if before else 0
        known_aeo = (before.aeo if before else False) or aeo
        self.store.traders[trader_id] = ports.Trader(trader_id, name, country, known_aeo, count + 1)
        return ports.Trader(trader_id, name, country, known_aeo, count)


class MemoryApiKeys(ports.ApiKeyRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add(self, key: ports.ApiKey) -> None:
        if any(k.key_hash == key.key_hash for k in self.store.api_keys.values()):
            raise ports.CommitConflict("an API key with this hash exists")
        self.store.api_keys[key.id] = key

    def by_hash(self, key_hash: str) -> ports.ApiKey | None:
        return next((k for k in self.store.api_keys.values() if k.key_hash == key_hash), None)

    def all(self) -> list[ports.ApiKey]:
        return sorted(self.store.api_keys.values(), key=lambda k: (k.created_at, k.id))

    def revoke(self, key_id: str) -> ports.ApiKey | None:
        key = self.store.api_keys.get(key_id)
        if key is None:
            return None
        self.store.api_keys[key_id] = revoked = replace(key, revoked=True)
        return revoked


class MemoryEvents(ports.EventRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def existing(self, event_ids: list[str]) -> set[str]:
        return {i for i in event_ids if i in self.store.events}

    def add_many(self, events: list[ports.StoredEvent], received_at: datetime) -> None:
        for event in events:
            if event.event_id in self.store.events:
                raise ports.CommitConflict(f"event {event.event_id} is already stored")
            self.store.events[event.event_id] = event

    def for_consignment(self, consignment_ref: str) -> list[ports.StoredEvent]:
        found = [e for e in self.store.events.values() if e.consignment_ref == consignment_ref]
        return sorted(found, key=lambda e: (e.event_time, e.event_id))

    def for_container(self, container: str) -> list[ports.StoredEvent]:
        refs = {ref for c, ref, _, _ in self.store.containers if c == container}
        return [e for ref in sorted(refs) for e in self.for_consignment(ref) if container in e.containers]

    def assign(self, consignment_ref: str, containers: list[str], origin_locode: str, at: datetime) -> None:
        for container in containers:
            if not any(c == container and ref == consignment_ref for c, ref, _, _ in self.store.containers):
                self.store.containers.append((container, consignment_ref, origin_locode, at))

    def consignment_of(self, container: str) -> tuple[str, str] | None:
        mine = [(at, ref, origin) for c, ref, origin, at in self.store.containers if c == container]
        if not mine:
            return None
        _, ref, origin = max(mine)
        return ref, origin


class MemoryDocuments(ports.DocumentRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def add_many(self, documents: list[dict[str, Any]], at: datetime) -> None:
        for document in documents:
            self.store.documents.setdefault(str(document["signature"]["targetHash"]), document)

    def get_many(self, target_hashes: list[str]) -> list[dict[str, Any]]:
        return [self.store.documents[h] for h in target_hashes if h in self.store.documents]


class MemoryMandates(ports.MandateRepository):
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def grant(self, broker_id: str, exporter_id: str, at: datetime) -> None:
        self.store.mandates.add((broker_id, exporter_id))

    def exists(self, broker_id: str, exporter_id: str) -> bool:
        return (broker_id, exporter_id) in self.store.mandates


class MemoryUnitOfWork(ports.UnitOfWork):
    """Changes go to a copy of the store and replace it on commit, so a rollback loses them."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.committed = False

    def __enter__(self) -> Self:
        self._work = copy.deepcopy(self.store)
        self.declarations = MemoryDeclarations(self._work)
        self.outbox = MemoryOutbox(self._work)
        self.inbox = MemoryInbox(self._work)
        self.rejections = MemoryRejections(self._work)
        self.traders = MemoryTraders(self._work)
        self.api_keys = MemoryApiKeys(self._work)
        self.events = MemoryEvents(self._work)
        self.documents = MemoryDocuments(self._work)
        self.mandates = MemoryMandates(self._work)
        self.keys = MemoryKeys(self._work)
        self.issuers = MemoryIssuers(self._work)
        self.revocations = MemoryRevocations(self._work)
        self._settlement_repositories()
        return self

    def _settlement_repositories(self) -> None:
        self.ledger = settlement.MemoryLedgerRepository(self._work.settlement.ledger)
        self.records = settlement.MemorySettlementRecords(self._work.settlement)

    def _commit(self) -> None:
        self.store.__dict__.update(copy.deepcopy(self._work.__dict__))
        self.committed = True

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = copy.deepcopy(self._work.__dict__)
        try:
            yield
        except BaseException:
            self._work.__dict__.update(saved)  # the repositories share this object: they see the undo
            self._settlement_repositories()  # these hold the settlement state itself: hand out the restored one
            self.forget_declarations()
            raise

    def rollback(self) -> None:
        if hasattr(self, "_work"):
            self.__enter__()  # a fresh copy of the committed store: the uncommitted changes are gone
