"""What the service layer needs from persistence; SQL and in-memory adapters implement it."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from corridor.service.api_key_ports import ApiKey as ApiKey
from corridor.service.api_key_ports import ApiKeyRepository as ApiKeyRepository
from corridor.service.mandate_ports import MandateRepository as MandateRepository
from corridor.service.trust_ports import IssuerRepository, KeyRepository, RevocationRepository, TrustedKey
from corridor.shared.events import Event

if TYPE_CHECKING:  # the aggregate's type, for the type checker only: no capability is loaded here
    from corridor.customs.domain.model import CustomsDeclaration, Stage
    from corridor.settlement.ports import LedgerRepository, SettlementRecords


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    message_id: str
    recipient: str
    type: str
    envelope: str
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: datetime | None = None
    created_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Trader:
    id: str
    name: str
    country: str
    aeo: bool
    declarations: int


class DeclarationRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, declaration: CustomsDeclaration) -> None:
        """Insert; raise CommitConflict when (flow, trader, LRN) or the id is taken."""

    @abc.abstractmethod
    def get(self, declaration_id: str) -> CustomsDeclaration | None: ...

    def get_many(self, declaration_ids: Sequence[str]) -> list[CustomsDeclaration]:
        """Those of the declarations that exist (a SQL adapter reads them in one statement)."""
        found = (self.get(i) for i in dict.fromkeys(declaration_ids))
        return [d for d in found if d is not None]

    @abc.abstractmethod
    def save(self, declaration: CustomsDeclaration) -> None:
        """Write changes; ConcurrentUpdate when someone else changed it since it was read, raised
        here or, where writes are sent together, at the latest by the commit."""

    @abc.abstractmethod
    def find_by_lrn(self, flow: str, trader_id: str, lrn: str) -> CustomsDeclaration | None: ...

    @abc.abstractmethod
    def find_by_consignment(self, consignment_ref: str) -> CustomsDeclaration | None:
        """This node's declaration of the consignment: the export itself or the import built from it."""

    @abc.abstractmethod
    def query(
        self,
        *,
        trader_id: str | None = None,
        status: str | None = None,
        lrn: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CustomsDeclaration]: ...

    @abc.abstractmethod
    def stages(self, declaration_id: str) -> list[Stage]: ...

    def read_ahead_stages(self, declaration_ids: Sequence[str]) -> None:  # noqa: B027 (optional: a hint)
        """These declarations' stages will be asked for: read them together."""

    @abc.abstractmethod
    def referencing(self, document_hash: str) -> list[CustomsDeclaration]:
        """Declarations whose document references name ``document_hash`` (a targetHash or the
        merkleRoot of a batch)."""

    @abc.abstractmethod
    def summary(self) -> list[dict[str, Any]]:
        """Rows of (flow, lane, status, count) for reports."""


class OutboxRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, message: OutboxMessage) -> None: ...

    @abc.abstractmethod
    def due(self, now: datetime, limit: int) -> list[OutboxMessage]: ...

    @abc.abstractmethod
    def claim(self, now: datetime, limit: int, lease: timedelta) -> list[OutboxMessage]:
        """Take due messages for delivery: they are not due again for ``lease`` (another relay
        process skips them; if this one dies, they come back when the lease ends)."""

    @abc.abstractmethod
    def with_status(self, *, status: str, limit: int = 100) -> list[OutboxMessage]: ...

    @abc.abstractmethod
    def mark_sent(self, message_ids: list[str], at: datetime) -> None: ...

    @abc.abstractmethod
    def mark_retry(self, message_id: str, error: str, next_attempt_at: datetime) -> None: ...

    @abc.abstractmethod
    def mark_dead(self, message_id: str, error: str) -> None: ...

    @abc.abstractmethod
    def requeue(self, message_ids: list[str], now: datetime) -> int:
        """Make dead messages pending again (after the cause was mended); returns how many."""

    @abc.abstractmethod
    def count(self, status: str | None = None) -> int: ...


class InboxRepository(abc.ABC):
    @abc.abstractmethod
    def outcome(self, message_id: str) -> dict[str, Any] | None:
        """The recorded outcome when this message id was already processed, else None."""

    def outcomes(self, message_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The recorded outcomes of those of the message ids already processed (a receiver batch
        asks once; a SQL adapter answers in one statement)."""
        found = {message_id: self.outcome(message_id) for message_id in message_ids}
        return {message_id: outcome for message_id, outcome in found.items() if outcome is not None}

    @abc.abstractmethod
    def add(
        self, message_id: str, sender: str, type_: str, at: datetime, outcome: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    def count(self) -> int: ...


class RejectionRepository(abc.ABC):
    @abc.abstractmethod
    def add(
        self, message_id: str | None, sender: str | None, field: str, reason: str, at: datetime
    ) -> None: ...

    @abc.abstractmethod
    def recent(self, limit: int = 100) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def count(self) -> int: ...


class TraderRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, trader_id: str) -> Trader | None: ...

    @abc.abstractmethod
    def upsert(self, trader: Trader) -> None: ...

    @abc.abstractmethod
    def record_filing(self, trader_id: str, name: str, country: str, aeo: bool) -> Trader:
        """Count one more declaration for the trader (creating it if new); return it as it was before."""

    def read_ahead(self, trader_ids: Sequence[str]) -> None:  # noqa: B027 (optional: a hint)
        """The traders whose filings this transaction is about to count, read together; a
        repository that reads each at no cost may ignore it."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    event_id: str
    consignment_ref: str
    biz_step: str
    locode: str
    event_time: datetime
    containers: tuple[str, ...]
    epcis: dict[str, Any]
    source: str


class EventRepository(abc.ABC):
    """Logistics events and which containers travel on which consignment."""

    @abc.abstractmethod
    def existing(self, event_ids: list[str]) -> set[str]:
        """Those of the eventIDs that are already stored."""

    @abc.abstractmethod
    def add_many(self, events: list[StoredEvent], received_at: datetime) -> None:
        """Store new events (their eventIDs must not be stored yet)."""

    @abc.abstractmethod
    def for_consignment(self, consignment_ref: str) -> list[StoredEvent]: ...

    def read_ahead(self, consignment_refs: Sequence[str]) -> None:
        """These consignments' events will be asked for: a SQL adapter reads them in one statement."""
        del consignment_refs

    @abc.abstractmethod
    def for_container(self, container: str) -> list[StoredEvent]: ...

    @abc.abstractmethod
    def assign(
        self, consignment_ref: str, containers: list[str], origin_locode: str, at: datetime
    ) -> None: ...

    @abc.abstractmethod
    def consignment_of(self, container: str) -> tuple[str, str] | None:
        """(consignment, origin UN/LOCODE) of the container's latest assignment."""


class DocumentRepository(abc.ABC):
    """Wrapped trade documents (OpenAttestation v2) filed with declarations, by targetHash."""

    @abc.abstractmethod
    def add_many(self, documents: list[dict[str, Any]], at: datetime) -> None:
        """Store documents not stored yet (a known targetHash is left as it is)."""

    @abc.abstractmethod
    def get_many(self, target_hashes: list[str]) -> list[dict[str, Any]]: ...


class ConcurrentUpdate(Exception):
    """The aggregate changed since it was read; the caller retries."""


class CommitConflict(Exception):
    """The commit broke a uniqueness rule, e.g. the same message id was stored concurrently."""


EventHandler = Callable[[Event, "UnitOfWork"], None]
MAX_EVENT_ROUNDS = 50  # reactions that cause reactions: a loop this deep is a defect, not a workload


class UnitOfWork(abc.ABC):
    """One transaction over the node's stores. Before it commits, it collects the domain events
    recorded by the aggregates it handed out (and those published to it) and hands each to the
    handlers subscribed to its type, in the same transaction; what they record is handed on in turn."""

    event_handlers: Mapping[type[Event], Sequence[EventHandler]] = {}
    published: list[Event]  # every event dispatched in this transaction, in order
    outbox: OutboxRepository
    inbox: InboxRepository
    rejections: RejectionRepository
    traders: TraderRepository
    api_keys: ApiKeyRepository
    events: EventRepository
    documents: DocumentRepository
    mandates: MandateRepository
    keys: KeyRepository
    issuers: IssuerRepository
    revocations: RevocationRepository
    ledger: LedgerRepository  # settlement's ledger, in the same transaction
    records: SettlementRecords  # settlement's claims, windows and realisation records

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *args: object) -> None:
        self.rollback()

    @property
    def declarations(self) -> DeclarationRepository:
        return self._declarations

    @declarations.setter
    def declarations(self, repository: DeclarationRepository) -> None:
        self._declarations = TrackingDeclarations(repository)
        self.__dict__["_new_events"] = []
        self.__dict__["published"] = []

    def forget_declarations(self) -> None:
        """A savepoint was rolled back: a declaration handed out may hold changes it undid, so
        each is read afresh when next asked for (its events recorded inside are dropped too)."""
        declarations = self.__dict__.get("_declarations")
        if isinstance(declarations, TrackingDeclarations):
            declarations.seen.clear()

    def publish(self, *events: Event) -> None:
        """Events that no aggregate recorded (a capability's service layer tells what it did)."""
        self.__dict__.setdefault("_new_events", []).extend(events)

    def collect_new_events(self) -> list[Event]:
        events: list[Event] = self.__dict__.get("_new_events", [])
        self.__dict__["_new_events"] = []
        declarations = self.__dict__.get("_declarations")
        if isinstance(declarations, TrackingDeclarations):
            for declaration in declarations.seen.values():
                events.extend(declaration.pull_events())
        return events

    def dispatch_events(self) -> None:
        for _ in range(MAX_EVENT_ROUNDS):
            events = self.collect_new_events()
            if not events:
                return
            for event in events:
                self.__dict__.setdefault("published", []).append(event)
                for handler in self.event_handlers.get(type(event), ()):
                    handler(event, self)
        raise RuntimeError(f"domain events still flowing after {MAX_EVENT_ROUNDS} rounds")

    def commit(self) -> None:
        """Dispatch the domain events, then commit everything they and the command did."""
        self.dispatch_events()
        self._commit()

    @abc.abstractmethod
    def _commit(self) -> None: ...

    def flush(self) -> None:  # noqa: B027 (a unit of work that queues nothing has nothing to send)
        """Send the queued writes now (a broken uniqueness rule raises ``CommitConflict`` here)."""

    @abc.abstractmethod
    def rollback(self) -> None: ...

    @abc.abstractmethod
    def savepoint(self) -> AbstractContextManager[None]:
        """A nested transaction: an exception inside undoes only what was done inside."""


class TrackingDeclarations(DeclarationRepository):
    """The declarations repository as a unit of work hands it out: one object per declaration in a
    transaction (an event handler sees what the command changed), and every declaration seen, so
    the unit of work can collect the events they record."""

    def __init__(self, inner: DeclarationRepository) -> None:
        self.inner = inner
        self.seen: dict[str, CustomsDeclaration] = {}

    def _track(self, declaration: CustomsDeclaration | None) -> CustomsDeclaration | None:
        if declaration is None:
            return None
        return self.seen.setdefault(declaration.id, declaration)

    def add(self, declaration: CustomsDeclaration) -> None:
        self.inner.add(declaration)
        self.seen[declaration.id] = declaration

    def get(self, declaration_id: str) -> CustomsDeclaration | None:
        if declaration_id in self.seen:
            return self.seen[declaration_id]
        return self._track(self.inner.get(declaration_id))

    def get_many(self, declaration_ids: Sequence[str]) -> list[CustomsDeclaration]:
        unseen = [i for i in dict.fromkeys(declaration_ids) if i not in self.seen]
        for declaration in self.inner.get_many(unseen) if unseen else []:
            self._track(declaration)
        return [self.seen[i] for i in dict.fromkeys(declaration_ids) if i in self.seen]

    def save(self, declaration: CustomsDeclaration) -> None:
        self.inner.save(declaration)
        self.seen[declaration.id] = declaration

    def find_by_lrn(self, flow: str, trader_id: str, lrn: str) -> CustomsDeclaration | None:
        return self._track(self.inner.find_by_lrn(flow, trader_id, lrn))

    def find_by_consignment(self, consignment_ref: str) -> CustomsDeclaration | None:
        return self._track(self.inner.find_by_consignment(consignment_ref))

    def query(
        self,
        *,
        trader_id: str | None = None,
        status: str | None = None,
        lrn: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CustomsDeclaration]:
        found = self.inner.query(trader_id=trader_id, status=status, lrn=lrn, limit=limit, offset=offset)
        return [self.seen.setdefault(d.id, d) for d in found]

    def stages(self, declaration_id: str) -> list[Stage]:
        return self.inner.stages(declaration_id)

    def read_ahead_stages(self, declaration_ids: Sequence[str]) -> None:
        self.inner.read_ahead_stages(declaration_ids)

    def referencing(self, document_hash: str) -> list[CustomsDeclaration]:
        return [self.seen.setdefault(d.id, d) for d in self.inner.referencing(document_hash)]

    def summary(self) -> list[dict[str, Any]]:
        return self.inner.summary()


__all__ = ["IssuerRepository", "KeyRepository", "RevocationRepository", "TrustedKey"]
