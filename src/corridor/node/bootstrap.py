"""Wire a node: database, keys, reference data, handlers, relay and transport."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from corridor.adapters.database import make_engine, migrate
from corridor.adapters.unit_of_work import SqlUnitOfWork
from corridor.classification.adapters.loader import hs_service
from corridor.classification.check import DescriptionCheck
from corridor.classification.service import HsService
from corridor.customs import handlers as customs
from corridor.customs.assessment import ReferenceAssessor
from corridor.customs.events import (
    DeclarationRegistered,
    DutiesAssessed,
    DutiesPaymentRequested,
    ExportCleared,
)
from corridor.documents import handlers as documents
from corridor.documents.desk import DocumentDesk
from corridor.documents.events import DocumentRevoked
from corridor.documents.registry import NodeDocuments
from corridor.documents.revocation import MESSAGE_TYPE as REVOCATION
from corridor.logistics import handlers as logistics
from corridor.logistics.events import MovementsRecorded
from corridor.messaging.keys import KeyRing, NodeKeys
from corridor.messaging.relay import Relay, RelayReport
from corridor.messaging.transport import Transport
from corridor.node.selection_key import check_selection_key, node_selection_key
from corridor.refdata.codelists import code_lists
from corridor.service import commands
from corridor.service.bus import Handler, MessageBus
from corridor.service.context import Assessor, NodeContext
from corridor.service.ports import EventHandler, UnitOfWork
from corridor.service.receive import receive_envelope, receive_envelopes
from corridor.settlement import reactions as settlement
from corridor.settlement import signing
from corridor.settlement.domain.messages import PAYMENT
from corridor.settlement.events import DutiesSettled
from corridor.settlement.handlers import SettlementContext
from corridor.shared.events import Event
from corridor.shared.private import private_directory

COMMAND_HANDLERS: dict[type[commands.Command], Handler] = {
    commands.FileDeclaration: customs.file_declaration,
    commands.ClearDeclaration: customs.clear_declaration,
    commands.HoldDeclaration: customs.hold_declaration,
    commands.ReceiveEnvelope: receive_envelope,
    commands.ReceiveEnvelopes: receive_envelopes,
    commands.PayDuties: customs.pay_duties,
    commands.ReleaseDeclaration: customs.release_declaration,
    commands.PostEvents: logistics.post_events,
    commands.RevokeDocument: documents.revoke_document,
    commands.GrantMandate: customs.grant_mandate,
    **{command: settlement.handle_command for command in settlement.COMMANDS},
}


def event_handlers(ctx: NodeContext) -> dict[type[Event], list[EventHandler]]:
    """Who reacts to which domain event, each handler bound to the node's context."""
    subscriptions: dict[type[Event], list[Callable[[Any, UnitOfWork, NodeContext], None]]] = {
        DeclarationRegistered: [logistics.on_declaration_registered],
        MovementsRecorded: [customs.on_movements_recorded],
        DocumentRevoked: [customs.on_document_revoked],
        DutiesAssessed: [settlement.on_duties_assessed],
        ExportCleared: [settlement.on_export_cleared],
        DutiesPaymentRequested: [settlement.on_duties_payment_requested],
        DutiesSettled: [customs.on_duties_settled],
    }
    return {kind: [_bound(handler, ctx) for handler in handlers] for kind, handlers in subscriptions.items()}


def _bound(handler: Callable[[Any, UnitOfWork, NodeContext], None], ctx: NodeContext) -> EventHandler:
    def handle(event: Event, uow: UnitOfWork) -> None:
        handler(event, uow, ctx)

    return handle


HS_CHECK_SWITCH = "CORRIDOR_HS_CHECK"  # "off": the description rule stays inert on this node


def hs_check_on() -> bool:
    """Whether the node's operator left the HS description check on (it is, unless switched off)."""
    return os.environ.get(HS_CHECK_SWITCH, "on").strip().lower() != "off"


def description_check(hs: Any) -> DescriptionCheck:
    """The HS description check for the risk engine, unless the node's operator switched it off
    (each goods item costs the classifier tens of milliseconds at filing)."""
    if not hs_check_on():
        return DescriptionCheck(None, f"switched off on this node ({HS_CHECK_SWITCH}=off)")
    return DescriptionCheck(hs)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_declaration_id(country: str, clock: Callable[[], datetime]) -> Callable[[], str]:
    """MRN-like ids: 2-digit year, country, 14 random upper-case hex characters (18 characters)."""

    def make() -> str:
        return f"{clock():%y}{country}{secrets.token_hex(7).upper()}"

    return make


@dataclass
class Node:
    country: str
    engine: Engine
    keyring: NodeKeys
    bus: MessageBus
    relay: Relay
    hs: HsService
    data_dir: Path | None = None  # files of the node: keys, the analytics snapshot

    def uow(self) -> UnitOfWork:
        return self.bus.uow_factory()

    def reading(self) -> UnitOfWork:
        """A unit of work that only reads (an API key at each request): on SQLite it neither
        waits for nor holds up the writers."""
        return SqlUnitOfWork(self.engine, read_only=True)

    def handle(self, command: commands.Command) -> Any:
        return self.bus.handle(command)

    def handle_many(self, batch: Sequence[commands.Command]) -> list[Any]:
        return self.bus.handle_many(batch)

    def receive(
        self, envelope: Any, from_party: str | None = None, stored_at: datetime | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self.bus.handle(commands.ReceiveEnvelope(envelope, from_party, stored_at))
        return result

    def receive_many(
        self, envelopes: list[Any], from_party: str | None = None, stored_at: list[datetime] | None = None
    ) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.bus.handle(
            commands.ReceiveEnvelopes(envelopes, from_party, stored_at)
        )
        return result

    def relay_once(self, limit: int = 200) -> RelayReport:
        return self.relay.run_once(limit)

    def close(self) -> None:
        self.engine.dispose()


def make_context(
    country: str,
    keyring: KeyRing,
    clock: Callable[[], datetime] = utcnow,
    *,
    assessor: Assessor,
    document_context: NodeDocuments | None = None,
    sample_funding: bool = True,
) -> NodeContext:
    """The handlers' context; tests pair it with in-memory units of work. ``sample_funding``: an
    importer short of funds is credited the shortfall by its sample bank (docs/SETTLEMENT.md)."""
    ctx = NodeContext(
        country=country,
        codes=code_lists(),
        assessor=assessor,
        signer=keyring,
        keys=keyring,
        clock=clock,
        new_id=new_declaration_id(country, clock),
        body_handlers={
            customs.PREARRIVAL: customs.on_prearrival,
            customs.ACKNOWLEDGEMENT: customs.on_acknowledgement,
            customs.EXPORT_HOLD: customs.on_export_notice,
            customs.EXPORT_HOLD_LIFTED: customs.on_export_notice,
            logistics.EVENTS: logistics.on_events,
            REVOCATION: documents.on_revocation,
            PAYMENT: settlement.on_payment,
        },
        read_ahead={customs.PREARRIVAL: customs.read_ahead_prearrivals},
        command_read_ahead={
            commands.FileDeclaration: customs.read_ahead_filings,
            **{
                decision: customs.read_ahead_decisions
                for decision in (
                    commands.ClearDeclaration,
                    commands.HoldDeclaration,
                    commands.ReleaseDeclaration,
                    commands.PayDuties,
                )
            },
        },
        documents=document_context,
        desk=DocumentDesk() if document_context is not None else None,
    )
    ctx.settlement = SettlementContext(country, clock, signer=keyring, sample_funding=sample_funding)
    ctx.event_handlers = event_handlers(ctx)
    return ctx


def bootstrap_node(
    country: str,
    data_dir: Path,
    transport: Transport,
    *,
    db_url: str | None = None,
    db_schema: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    assessor: Assessor | None = None,
    selection_key: bytes | None = None,
    sample_funding: bool = True,
) -> Node:
    """A node over ``data_dir``. Its assessor draws random selection with ``selection_key``, else
    with the secret key kept in ``data_dir`` (made on first start)."""
    private_directory(data_dir)
    hs = hs_service(data_dir)
    if assessor is None:
        key = node_selection_key(data_dir) if selection_key is None else selection_key
        assessor = ReferenceAssessor.for_country(
            country, check_selection_key(key, "selection_key"), hs_check=description_check(hs)
        )
    engine = make_engine(db_url or f"sqlite:///{data_dir / 'corridor.sqlite'}", db_schema)
    migrate(engine)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(engine)

    keys = NodeKeys.open(data_dir, country, uow_factory)
    documents = NodeDocuments.open(data_dir, uow_factory)
    ctx = make_context(
        country,
        keys.ring,
        clock,
        assessor=assessor,
        document_context=documents,
        sample_funding=sample_funding,
    )
    assert ctx.settlement is not None
    ctx.settlement.sign = _record_signer(uow_factory, keys.ring)
    bus = MessageBus(uow_factory, ctx, COMMAND_HANDLERS)
    relay = Relay(uow_factory, transport, clock, keys.ring)
    return Node(country, engine, keys, bus, relay, hs, data_dir)


def _record_signer(
    uow_factory: Callable[[], UnitOfWork], keyring: KeyRing
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Signs settlement's realisation records with the node's active key (read in a transaction
    of its own)."""

    def sign(body: dict[str, Any]) -> dict[str, Any]:
        with uow_factory() as uow:
            key_id, private_key = keyring.signing_key(uow.keys)
        return signing.sign(body, key_id, private_key)

    return sign


def introduce(a: Node, b: Node) -> None:
    """Exchange public keys between two nodes' trust lists (as `corridor keys export/import` does)."""
    a.keyring.import_public(b.keyring.export_public())
    b.keyring.import_public(a.keyring.export_public())
