"""What handlers need besides the unit of work; ``corridor.node.bootstrap`` fills it in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from corridor.service.outbox import Signer
from corridor.service.ports import EventHandler, KeyRepository, Trader, UnitOfWork
from corridor.shared.events import Event
from corridor.shared.findings import LaneFinding

if TYPE_CHECKING:  # capability types for the type checker only: the context loads no capability
    from corridor.customs.domain.assessment import Assessment
    from corridor.customs.domain.risk import RiskDecision
    from corridor.customs.domain.rules import CodeLookup
    from corridor.customs.domain.wco import DeclarationType as Declaration
    from corridor.documents.registry import NodeDocuments
    from corridor.settlement.handlers import SettlementContext


class Assessor(Protocol):
    def risk(
        self, declaration: Declaration, flow: str, trader: Trader | None, declaration_id: str, at: datetime
    ) -> RiskDecision:
        """The risk decision: its lane, the rules that fired."""

    def duties(self, declaration: Declaration, at: datetime) -> Assessment:
        """Customs value and duties and taxes of an import declaration."""


class KeyResolver(Protocol):
    def resolve(self, keys: KeyRepository, key_id: str, sender: str) -> Ed25519PublicKey:
        """The public key to verify ``sender``'s message signed with ``key_id``, as the trust list
        ``keys`` says now; LookupError with the reason when it is unknown, revoked or foreign."""


class DocumentDesk(Protocol):
    """The documents capability as customs needs it while assessing a declaration."""

    def check(
        self, uow: UnitOfWork, declaration: dict[str, Any], provided: Any, now: datetime
    ) -> Sequence[LaneFinding]:
        """Store the wrapped documents ``provided`` and verify and cross-check every document the
        declaration references; InvalidInput naming the field when one is malformed."""

    def referenced(self, uow: UnitOfWork, declaration: dict[str, Any]) -> list[dict[str, Any]]:
        """The stored wrapped documents the declaration references."""


BodyHandler = Callable[[dict[str, Any], dict[str, str], UnitOfWork, "NodeContext"], dict[str, Any]]
ReadAhead = Callable[[Sequence[dict[str, Any]], UnitOfWork], None]
"""Given the bodies of a receiver batch's new messages of one type, before any is applied: read
what their handler will look up, in one statement per table (a hint; nothing may depend on it)."""
CommandReadAhead = Callable[[Sequence[Any], UnitOfWork], None]
"""The same for the commands of one type in a bulk (``MessageBus.handle_many``), before any is run."""


@dataclass
class NodeContext:
    country: str
    codes: CodeLookup
    assessor: Assessor
    signer: Signer
    keys: KeyResolver
    clock: Callable[[], datetime]
    new_id: Callable[[], str]
    body_handlers: dict[str, BodyHandler] = field(default_factory=dict)
    read_ahead: dict[str, ReadAhead] = field(default_factory=dict)  # by message type
    command_read_ahead: dict[type, CommandReadAhead] = field(default_factory=dict)  # by command type
    documents: NodeDocuments | None = None
    desk: DocumentDesk | None = None
    event_handlers: Mapping[type[Event], Sequence[EventHandler]] = field(default_factory=dict)
    settlement: SettlementContext | None = None  # the settlement capability's context at this node

    @property
    def peer(self) -> str:
        return "RU" if self.country == "IN" else "IN"
